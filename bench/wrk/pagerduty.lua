-- PagerDuty Events v2: a trigger for one of 500 dedup keys, or one time in ten a resolve.
dofile("bench/wrk/report.lua")

local KEYS = 500
local pause
local resolved_share  -- argument 2 (bench.intake --resolved-share), 0.1 by default
local ROUTING_KEY = "exampleintegrationkey00000000001"
local headers = {["Content-Type"] = "application/json"}

function init(args)
  math.randomseed(id * 104729 + tonumber(args[1] or 0))
  resolved_share = tonumber(args[2] or 0.1)
  pause = tonumber(args[3] or 0)  -- argument 3 (bench.intake --rate): ms each connection waits between requests
end

function delay()
  return pause
end

function request()
  local key = "bench-" .. math.random(0, KEYS - 1)
  local body
  if math.random() < resolved_share then
    body = string.format('{"routing_key": "%s", "event_action": "resolve", "dedup_key": "%s"}', ROUTING_KEY, key)
  else
    body = string.format(
      '{"routing_key": "%s", "event_action": "trigger", "dedup_key": "%s", ' ..
      '"payload": {"summary": "Disk full on %s", "source": "%s", "severity": "warning"}}',
      ROUTING_KEY, key, key, key)
  end
  return wrk.format("POST", nil, headers, body)  -- nil: the path of the URL wrk was given
end
