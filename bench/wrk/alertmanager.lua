-- Alertmanager v4 bodies: one group's 10 alerts out of 50 groups (500 distinct alerts). One body
-- in ten resolves its group, so incidents resolve, open again and page all the time. The alerts started
-- a minute before each request, as a real group's new alerts have when Alertmanager sends them (an old
-- startsAt would breach every new incident's detection target at once).
dofile("bench/wrk/report.lua")

local GROUPS, PER_GROUP = 50, 10
local pause
local resolved_share  -- argument 2 (bench.intake --resolved-share), 0.1 by default
local headers = {["Authorization"] = "Bearer example-token", ["Content-Type"] = "application/json"}

function init(args)
  math.randomseed(id * 7919 + tonumber(args[1] or 0))
  resolved_share = tonumber(args[2] or 0.1)
  pause = tonumber(args[3] or 0)  -- argument 3 (bench.intake --rate): ms each connection waits between requests
end

function delay()
  return pause
end

local function alert(group, index, status, starts_at)
  local name, instance = "Bench" .. group, "host-" .. index .. ":9100"
  return string.format(
    '{"status": "%s", "labels": {"alertname": "%s", "instance": "%s", "severity": "warning"}, ' ..
    '"annotations": {"summary": "%s on %s"}, "startsAt": "%s", ' ..
    '"endsAt": "0001-01-01T00:00:00Z", "generatorURL": "http://prometheus:9090/graph", "fingerprint": "%016x"}',
    status, name, instance, name, instance, starts_at, group * PER_GROUP + index)
end

function request()
  local group = math.random(0, GROUPS - 1)
  local status = math.random() < resolved_share and "resolved" or "firing"
  local starts_at = os.date("!%Y-%m-%dT%H:%M:%S.000Z", os.time() - 60)
  local alerts = {}
  for index = 0, PER_GROUP - 1 do
    alerts[#alerts + 1] = alert(group, index, status, starts_at)
  end
  local body = string.format(
    '{"version": "4", "status": "%s", "receiver": "incidents", "truncatedAlerts": 0, ' ..
    '"groupKey": "{}:{alertname=\\"Bench%d\\"}", "groupLabels": {"alertname": "Bench%d"}, ' ..
    '"commonLabels": {"alertname": "Bench%d"}, "commonAnnotations": {}, ' ..
    '"externalURL": "http://alertmanager:9093", "alerts": [%s]}',
    status, group, group, group, table.concat(alerts, ", "))
  return wrk.format("POST", nil, headers, body)  -- nil: the path of the URL wrk was given
end
