"""Group the samples of a `perf script` dump of the Roster server by where they were.

    perf record -F 499 -e cpu-clock --call-graph dwarf,16384 -p <roster pid> -o perf.data -- sleep 5
    perf script -i perf.data > samples.txt
    python3 docs/profiles/categorize.py samples.txt

A sample counts once, in the first rule (top to bottom) whose frames its stack holds; prints a Markdown table.
"""
import re,collections,sys
txt=open(sys.argv[1]).read().split('\n\n')
tot=0
c=collections.Counter()
rules=[
 ('writer: commit (WAL write, fsync)', lambda s: 'writer::run' in s and ('COMMIT' in s or 'CommitPhase' in s or 'sqlite3VdbeHalt' in s and 'in_savepoint' not in s)),
 ('writer: checkpoint', lambda s: 'wal_checkpoint' in s or 'sqlite3Checkpoint' in s or 'walCheckpoint' in s),
 ('writer: the requests\' SQL (rule checks, inserts, indexes)', lambda s: 'in_savepoint' in s),
 ('writer: other', lambda s: 'writer::run' in s),
 ('authentication', lambda s: 'authenticate' in s or 'find_keys' in s),
 ('read transaction open/close (BEGIN/COMMIT, WAL locks)', lambda s: 'snapshot' in s and ('execute' in s and 'sqlite3_step' in s and 'memberships::' not in s.split('snapshot')[0])),
 ('membership list: organization lookup', lambda s: 'orgs::by_id' in s),
 ('membership list: page query (SQLite)', lambda s: 'query_page' in s and 'sqlite3' in s),
 ('membership list: rows to objects', lambda s: 'query_page' in s or 'from_row' in s),
 ('JSON: request parsing, response serialization', lambda s: 'serde_json' in s or 'serde_core' in s),
 ('HTTP: socket system calls (writev, recv, epoll)', lambda s: 'entry_SYSCALL' in s and ('writev' in s or 'recv' in s or 'epoll' in s or 'read' in s)),
 ('HTTP: our handlers, extractors, middleware (query parsing, errors, metrics)', lambda s: 'roster_server::' in s),
 ('HTTP: hyper and axum (parsing, routing, response)', lambda s: 'hyper::' in s or 'axum::' in s),
 ('tokio scheduling, thread wake-ups', lambda s: 'tokio::runtime' in s or 'futex' in s or 'finish_task_switch' in s),
]
for s in txt:
    if not s.strip(): continue
    tot+=1
    for name,f in rules:
        if f(s):
            c[name]+=1; break
    else:
        c['other']+=1
for name,_ in rules+[('other',None)]:
    if c[name]: print(f'| {name} | {100*c[name]/tot:.0f}% |')
print('samples',tot)
