-- Readers of the status page: each connection is one person (or one dashboard) that loads the page as
-- soon as it has connected (as a browser does), then reloads it after a pause of 0.5-1.5 s: 200
-- connections are about 200 requests/s. wrk measures each request from its write, so a pause is not
-- latency. The first loads of all connections go out together at the start, a herd no real page sees.
-- Argument 1: connections per wrk thread (that many first calls of `delay` are the first loads).
dofile("bench/wrk/report.lua")

local first_loads

function init(args)
  first_loads = tonumber(args[1] or 0)
  math.randomseed(id * 7919)
end

function delay()
  if first_loads > 0 then
    first_loads = first_loads - 1
    return 0
  end
  return math.random(500, 1500)
end
