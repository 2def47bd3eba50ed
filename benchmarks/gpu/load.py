"""Load on rin serve: N requests of one text each from C concurrent keep-alive clients."""
import http.client, json, sys, threading, time, urllib.parse
url, texts_file, n, clients = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
texts = [l.strip() for l in open(texts_file) if l.strip()]
u = urllib.parse.urlparse(url)
lock = threading.Lock(); state = {"next": 0, "ok": 0, "err": 0, "codes": {}, "lat": [], "triples": 0}
def worker():
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    while True:
        with lock:
            i = state["next"]; state["next"] += 1
        if i >= n: return
        body = json.dumps({"text": texts[i % len(texts)]})
        t = time.perf_counter()
        try:
            conn.request("POST", "/v1/extract", body, {"Content-Type": "application/json"})
            r = conn.getresponse(); data = r.read(); code = r.status
        except Exception as e:
            code, data = repr(e), b""; conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        dt = time.perf_counter() - t
        with lock:
            state["codes"][str(code)] = state["codes"].get(str(code), 0) + 1
            if code == 200:
                state["ok"] += 1; state["lat"].append(dt)
                try: state["triples"] += sum(len(x["triples"]) for x in json.loads(data).get("results", [json.loads(data)]))
                except Exception: pass
            else: state["err"] += 1
t0 = time.perf_counter()
ts = [threading.Thread(target=worker) for _ in range(clients)]
[t.start() for t in ts]; [t.join() for t in ts]
wall = time.perf_counter() - t0
lat = sorted(state["lat"]); q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1e3 if lat else float("nan")
print(f"serve load: {n} requests, {clients} clients, {state['ok']} ok, {state['err']} errors, codes {state['codes']}, "
      f"{n / wall:.0f} req/s, p50 {q(0.5):.2f} ms, p99 {q(0.99):.2f} ms, triples {state['triples']}")
