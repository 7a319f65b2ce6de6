--[[
  Raises a numeric hash field to a value, never lowering it, so a slow job that read an older
  state cannot undo what a faster one recorded (e.g. the alert version a page shows).

  Input:
    KEYS[1] the hash

    ARGV[1] the field
    ARGV[2] the new value (a number)

  Output:
    1 - raised (the field was missing or lower)
    0 - left alone (the field was already as high or higher)
]]
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) > cur then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0
