--[[
  Ejects a team from its rotations unless it is ejected already or is the last team left in one of
  them: the check and the write in one step, so racing ejects (several admins, several replicas)
  can never together leave a rotation with no team.

  Input:
    KEYS[1] ejected teams (hash: team id -> ejection JSON)
    KEYS[2] ejection log (list of JSON entries)

    ARGV[1] the team id
    ARGV[2] the ejection JSON to store
    ARGV[3] the log entry JSON to append
    ARGV[4] n, the number of rotations the team is in; then for each rotation in turn: its number
            of teams c, followed by its c team ids

  Output:
    {'ejected'}            - stored and logged
    {'already'}            - the team was ejected already; nothing changed
    {'last-team', i, ...}  - refused, nothing changed: in rotations i, ... (1-based, in the order
                             given) every other team is ejected
]]
local rcall = redis.call

local team = ARGV[1]
if rcall('HEXISTS', KEYS[1], team) == 1 then return {'already'} end

local emptied = {}
local at = 5
for i = 1, tonumber(ARGV[4]) do
  local c = tonumber(ARGV[at])
  local empty = true
  for j = at + 1, at + c do
    if ARGV[j] ~= team and rcall('HEXISTS', KEYS[1], ARGV[j]) == 0 then empty = false end
  end
  if empty then emptied[#emptied + 1] = i end
  at = at + c + 1
end
if #emptied > 0 then return {'last-team', unpack(emptied)} end

rcall('HSET', KEYS[1], team, ARGV[2])
rcall('RPUSH', KEYS[2], ARGV[3])
return {'ejected'}
