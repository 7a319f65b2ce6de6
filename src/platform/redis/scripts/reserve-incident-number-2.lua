--[[
  Takes the next incident number, once per declaration: a declaration retried with the same
  request id (Slack may deliver a modal submission twice) gets the number the first one took.

  Input:
    KEYS[1] incident number counter
    KEYS[2] the declaration's request-id marker, or KEYS[1] again when the declaration has no
            request id ('' would name a key of another slot: CROSSSLOT on a Cluster)

    ARGV[1] how long the marker is kept, seconds

  Output:
    {n, 1} - n is a new number
    {n, 0} - n was taken by an earlier attempt of the same declaration
]]
if KEYS[2] ~= KEYS[1] then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {tonumber(existing), 0} end
end
local n = redis.call('INCR', KEYS[1])
if KEYS[2] ~= KEYS[1] then redis.call('SET', KEYS[2], n, 'EX', ARGV[1]) end
return {n, 1}
