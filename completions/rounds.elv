
use builtin;
use str;

set edit:completion:arg-completer[rounds] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'rounds'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'rounds'= {
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand poll 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit'
            cand diagnose 'Diagnose pending signatures (or the given ones) with the configured LLM'
            cand list 'List signatures'
            cand show 'Show everything known about one signature'
            cand ignore 'Ignore signatures: still counted, never notified or diagnosed'
            cand resolve 'Mark signatures resolved (a new occurrence makes them regressed)'
            cand split 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them'
            cand report 'Write a findings report (markdown or JSON) to stdout'
            cand generate 'Write the man pages and shell completions (for packagers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rounds;poll'= {
            cand -i 'OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)'
            cand --input 'OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)'
            cand --backend 'Where errors come from'
            cand --in-app 'Module or path prefixes of application code (comma-separated), tried before CODEBASE_PATH and the built-in library lists'
            cand --not-in-app 'Module or path prefixes that are never application code (comma-separated; wins over ROUNDS_IN_APP and CODEBASE_PATH)'
            cand --fail-on 'Exit 1 when signatures in these states exist after the pass (for CI gating)'
            cand --lookback-minutes 'First run: how far back to look, in minutes'
            cand --overlap-minutes 'Re-read this many minutes before the cursor to absorb late spans'
            cand --max-catchup 'The longest backlog one pass catches up after an outage'
            cand --batch-size 'Most traces or rows one backend request asks for'
            cand --retention-days 'Keep the event ledger this many days'
            cand --resolve-after-days 'Resolve a signature quiet for this many days'
            cand --services 'Only these services (comma-separated; default: every service the backend lists)'
            cand --jaeger-url 'Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)'
            cand --jaeger-api-version 'Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)'
            cand --jaeger-error-filter 'How errors are searched: auto, server (error=true tag) or client (filter each trace)'
            cand --jaeger-tenant 'Tenant sent as X-Scope-OrgID'
            cand --tempo-url 'Grafana Tempo API base URL, e.g. http://localhost:3200'
            cand --tempo-traceql 'TraceQL query for error spans [default: { status = error }]'
            cand --tempo-tenant 'Tenant sent as X-Scope-OrgID'
            cand --loki-url 'Grafana Loki API base URL, e.g. http://localhost:3100'
            cand --loki-query 'LogQL selector for error lines'
            cand --loki-service-label 'The stream label that names the service [default: service_name]'
            cand --loki-tenant 'Tenant sent as X-Scope-OrgID'
            cand --signoz-url 'SigNoz API base URL, e.g. http://localhost:8080'
            cand --signoz-tenant 'Tenant sent as X-Scope-OrgID'
            cand --http-timeout 'Timeout of one backend request (1ms to 1h) [default: 60s]'
            cand --http-retries 'Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]'
            cand --http-backoff 'First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]'
            cand --http-max-wait 'Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]'
            cand --notify 'Where findings go: stdout, markdown, github_issue (comma-separated); none to disable'
            cand --min-occurrences 'A new signature is announced (and diagnosed) once it has occurred this often'
            cand --escalation-factor 'Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)'
            cand --markdown-dir 'Directory of the markdown notifier (one file per signature plus index.md)'
            cand --github-repository 'Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)'
            cand --github-repository-by-service 'Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)'
            cand --github-api-url 'GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)'
            cand --trace-url-template 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}'
            cand --diagnosis-backend 'LLM backend: claude_code, codex or openai (none: no diagnosis)'
            cand --codebase 'The source tree the model may read (a git work tree gives revisions and staleness)'
            cand --diagnosis-model 'Model id (pin a full id; the backend''s default otherwise)'
            cand --daily-budget 'USD per UTC day across all runs, checked against the spend ledger before each call'
            cand --diagnosis-budget 'USD cap for one diagnosis'
            cand --max-diagnoses 'At most this many model calls per pass'
            cand --diagnosis-timeout 'Wall-clock limit for one diagnosis; the backend''s process group is killed past it'
            cand --claude-code-path 'The claude binary (default: found on PATH)'
            cand --codex-path 'The codex binary (default: found on PATH)'
            cand --openai-base-url 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)'
            cand --llm-prices 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), '';''-separated'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --check 'Reach the backend, authenticate, list services; write nothing'
            cand --dry-run 'Do everything but write: the stdout notifier previews what would be announced'
            cand --strict 'Fail (exit 65) on the first unreadable input record instead of skipping it (exit 3)'
            cand --regroup 'Instead of a pass: re-fingerprint stored signatures under the current algorithm and merge those that became one (old ids stay as aliases); with --dry-run, only report'
            cand --json 'Print notifications as JSON Lines'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;diagnose'= {
            cand --budget 'Spend at most this many USD in this run'
            cand --min-occurrences 'A signature is diagnosed once it has occurred this often'
            cand --diagnosis-backend 'LLM backend: claude_code, codex or openai (none: no diagnosis)'
            cand --codebase 'The source tree the model may read (a git work tree gives revisions and staleness)'
            cand --diagnosis-model 'Model id (pin a full id; the backend''s default otherwise)'
            cand --daily-budget 'USD per UTC day across all runs, checked against the spend ledger before each call'
            cand --diagnosis-budget 'USD cap for one diagnosis'
            cand --max-diagnoses 'At most this many model calls per pass'
            cand --diagnosis-timeout 'Wall-clock limit for one diagnosis; the backend''s process group is killed past it'
            cand --claude-code-path 'The claude binary (default: found on PATH)'
            cand --codex-path 'The codex binary (default: found on PATH)'
            cand --openai-base-url 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)'
            cand --llm-prices 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), '';''-separated'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --force 'Diagnose again even if this codebase revision was already diagnosed'
            cand --dry-run 'Print exactly what would be sent (after redaction) and spend nothing'
            cand --json 'JSON instead of text'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;list'= {
            cand --status 'Only these states (comma-separated): new, investigating, diagnosed, resolved, ignored, regressed'
            cand --service 'Only signatures seen in this service'
            cand --since 'Only signatures seen since (a duration like 24h, or an RFC 3339 time)'
            cand --search 'Case-insensitive text in the type, template, service or id'
            cand --sort 'sort'
            cand --limit 'limit'
            cand --daily-budget 'USD per UTC day for diagnoses, to show what is left of it (with --json)'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --json 'JSON instead of a table'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;show'= {
            cand --events 'How many retained events to list (0 = all)'
            cand --codebase 'The source tree, to tell whether a diagnosis is stale (files it cites changed since)'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --explain 'Print the fingerprint''s inputs: frames kept and dropped, template'
            cand --json 'json'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;ignore'= {
            cand --reason 'Why (kept in the status history)'
            cand --until 'Ignore until this time or for this long (e.g. 7d)'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --undo 'Stop ignoring'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;resolve'= {
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --undo 'Reopen instead'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;split'= {
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand --undo 'Allow merging again'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;report'= {
            cand --since 'Window start: a duration (24h) or an RFC 3339 time [default: the previous report, else 24h]'
            cand --status 'status'
            cand --service 'service'
            cand --format 'format'
            cand --fail-on 'Exit 1 when signatures in these states are in the report (for CI gating)'
            cand --escalation-factor 'A signature is escalating when its last-24h count is this many times the previous 24h (0: never)'
            cand --daily-budget 'Daily LLM budget in USD, to show what is left'
            cand --trace-url-template 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}'
            cand --max-bytes 'Largest report written (GitHub step summaries take 1 MiB): markdown is cut with a note, JSON keeps the signatures that fit and says how many it left out'
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;generate'= {
            cand --db 'SQLite database file [default: <data dir>/rounds/rounds.db]'
            cand --store-backend 'Store backend (only sqlite today)'
            cand --color 'When to use colour'
            cand --lock-wait 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database'
            cand --redact-pattern 'Extra secrets to redact: a regular expression (use | for several)'
            cand --redact-emails 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)'
            cand --redact-ips 'Redact IP addresses (1/0, yes/no, on/off, true/false)'
            cand -q 'Print only errors'
            cand --quiet 'Print only errors'
            cand -v 'Print more about what happens (repeat for more)'
            cand --verbose 'Print more about what happens (repeat for more)'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'rounds;help'= {
            cand poll 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit'
            cand diagnose 'Diagnose pending signatures (or the given ones) with the configured LLM'
            cand list 'List signatures'
            cand show 'Show everything known about one signature'
            cand ignore 'Ignore signatures: still counted, never notified or diagnosed'
            cand resolve 'Mark signatures resolved (a new occurrence makes them regressed)'
            cand split 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them'
            cand report 'Write a findings report (markdown or JSON) to stdout'
            cand generate 'Write the man pages and shell completions (for packagers)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'rounds;help;poll'= {
        }
        &'rounds;help;diagnose'= {
        }
        &'rounds;help;list'= {
        }
        &'rounds;help;show'= {
        }
        &'rounds;help;ignore'= {
        }
        &'rounds;help;resolve'= {
        }
        &'rounds;help;split'= {
        }
        &'rounds;help;report'= {
        }
        &'rounds;help;generate'= {
        }
        &'rounds;help;help'= {
        }
    ]
    $completions[$command]
}
