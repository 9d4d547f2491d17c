-- Readers of the status page: each connection is one person (or one dashboard) that reloads the page
-- after a pause of 0.5-1.5 s, once a second on average: 200 connections are about 200 requests/s, and
-- they arrive spread over the first 1.5 s. wrk measures each request from its write, so a pause is not
-- latency. wrk connects first and pauses before the first request: an idle new connection, as a
-- browser's preconnect is (see ingest/gunicorn_conf.py on what that costs gunicorn).
dofile("bench/wrk/report.lua")

function init(args)
  math.randomseed(id * 7919)
end

function delay()
  return math.random(500, 1500)
end
