#!/usr/bin/env python3
"""Write a synthetic HTTP-access-log style dataset in the Loghub CSV shape (LineId, Content,
EventTemplate) for scripts/score-templates.sh: every message starts with a variable (client
address, request id or timestamp), so grouping cannot lean on a constant first token.

Written from the shapes of nginx/Apache access and error lines, not fitted to the miner: the
templates were fixed before the miner was run on them. Usage: gen-access-log.py OUT.csv [SEED]
"""
import csv
import random
import sys

def ip(r):
    return f"{r.randint(1, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"

def reqid(r):
    return f"{r.getrandbits(64):016x}"

def ts(r):
    return f"2026-12-{r.randint(1, 28):02d}T{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}Z"

# (template, generator): the template's <*> are exactly the generated variables.
TEMPLATES = [
    ("<*> GET /api/orders/<*> 200 <*> ms", lambda r: f"{ip(r)} GET /api/orders/{r.randint(1, 99999)} 200 {r.randint(1, 900)} ms"),
    ("<*> POST /api/orders 201 <*> ms", lambda r: f"{ip(r)} POST /api/orders 201 {r.randint(1, 900)} ms"),
    ("<*> GET /static/<*> 304 <*> ms", lambda r: f"{ip(r)} GET /static/{r.choice(['app', 'vendor', 'main'])}.{r.randint(100, 999)}.js 304 {r.randint(1, 50)} ms"),
    ("<*> GET /api/users/<*>/cart 404 <*> ms", lambda r: f"{ip(r)} GET /api/users/{r.randint(1, 99999)}/cart 404 {r.randint(1, 900)} ms"),
    ("<*> DELETE /api/sessions/<*> 401 <*> ms", lambda r: f"{ip(r)} DELETE /api/sessions/{reqid(r)} 401 {r.randint(1, 90)} ms"),
    ("<*> upstream timed out after <*> ms while connecting to <*>", lambda r: f"{reqid(r)} upstream timed out after {r.randint(1000, 60000)} ms while connecting to {ip(r)}:{r.randint(1024, 65535)}"),
    ("<*> client <*> closed keepalive connection", lambda r: f"{reqid(r)} client {ip(r)} closed keepalive connection"),
    ("<*> rate limit exceeded for key <*> on zone <*>", lambda r: f"{reqid(r)} rate limit exceeded for key {reqid(r)} on zone {r.choice(['api', 'login', 'search'])}"),
    ("<*> worker process <*> exited on signal <*>", lambda r: f"{ts(r)} worker process {r.randint(100, 65000)} exited on signal {r.choice([9, 11, 15])}"),
    ("<*> start worker process <*>", lambda r: f"{ts(r)} start worker process {r.randint(100, 65000)}"),
]

def main():
    out = sys.argv[1]
    r = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 7)
    weights = [30, 12, 15, 8, 5, 6, 10, 4, 3, 7]
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["LineId", "Content", "EventId", "EventTemplate"])
        for i in range(1, 2001):
            k = r.choices(range(len(TEMPLATES)), weights)[0]
            tpl, gen = TEMPLATES[k]
            w.writerow([i, gen(r), f"E{k + 1}", tpl])

if __name__ == "__main__":
    main()
