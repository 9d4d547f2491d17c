-- Readers of the status page: each connection is one person (or one dashboard) that loads the page at
-- once, then reloads it after a pause of 0.5-1.5 s, once a second on average: 200 connections are
-- about 200 requests/s. wrk measures each request from its write, so a pause is not latency.
-- Argument 1: connections per wrk thread (their first requests go out without a pause; a browser
-- sends its request as soon as it connects, while an idle new connection holds a gunicorn thread).
dofile("bench/wrk/report.lua")

local first_requests

function init(args)
  first_requests = tonumber(args[1] or 0)
  math.randomseed(id * 7919)
end

function delay()
  if first_requests > 0 then
    first_requests = first_requests - 1
    return 0
  end
  return math.random(500, 1500)
end
