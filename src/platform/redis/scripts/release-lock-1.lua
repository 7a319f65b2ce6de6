--[[
  Releases a lock, but only for its holder: a holder whose lock expired and was taken by someone
  else must not free the new holder's lock.

  Input:
    KEYS[1] the lock

    ARGV[1] the holder's token

  Output:
    1 - released
    0 - not held with this token (expired, or someone else's now)
]]
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
