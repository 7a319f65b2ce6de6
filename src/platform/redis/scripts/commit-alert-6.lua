--[[
  Commits one version of an alert, compare-and-set, with everything that must change with it:
    - checks that the group still points at the occurrence the caller read (unless ARGV[1] is '*')
      and that the alert is still at the version the caller read;
    - stores the new version and document;
    - moves the group pointer to this occurrence (a newly opened one);
    - adds the alert to, or removes it from, the open sets of its rotation and team;
    - indexes it by creation time;
    - appends the transition's timeline events.
  Nothing is written when a check fails: the caller re-reads and re-applies its pure transition.

  Input:
    KEYS[1] group hash (field 'latest': the group's newest occurrence number)
    KEYS[2] alert hash (fields 'v': version, 'doc': the alert's JSON)
    KEYS[3] alert timeline list
    KEYS[4] open alerts of the alert's rotation (set)
    KEYS[5] open alerts of the alert's team (set)
    KEYS[6] alerts by creation time (sorted set)

    ARGV[1] the occurrence the group pointed at when read ('' for none), or '*': do not check or
            move the group pointer (a transition of an existing alert)
    ARGV[2] the alert version read ('0' for an alert not stored yet)
    ARGV[3] the new version
    ARGV[4] the new document (JSON)
    ARGV[5] the alert's occurrence number (the group's new 'latest')
    ARGV[6] '1' when the alert is open, '0' when it is not
    ARGV[7] creation time, ms since the epoch
    ARGV[8] the alert id
    ARGV[9..n] timeline events to append (JSON each)

  Output:
    1 - committed
    0 - the group or the alert changed since it was read; nothing written
]]
local rcall = redis.call

local latest = rcall('HGET', KEYS[1], 'latest') or ''
if ARGV[1] ~= '*' and latest ~= ARGV[1] then return 0 end
local v = rcall('HGET', KEYS[2], 'v') or '0'
if v ~= ARGV[2] then return 0 end

rcall('HSET', KEYS[2], 'v', ARGV[3], 'doc', ARGV[4])
if ARGV[1] ~= '*' then rcall('HSET', KEYS[1], 'latest', ARGV[5]) end
if ARGV[6] == '1' then
  rcall('SADD', KEYS[4], ARGV[8])
  rcall('SADD', KEYS[5], ARGV[8])
else
  rcall('SREM', KEYS[4], ARGV[8])
  rcall('SREM', KEYS[5], ARGV[8])
end
rcall('ZADD', KEYS[6], ARGV[7], ARGV[8])
for i = 9, #ARGV do rcall('RPUSH', KEYS[3], ARGV[i]) end
return 1
