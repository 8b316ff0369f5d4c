# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rounds_global_optspecs
    string join \n db= store-backend= pg-schema= instance= q/quiet v/verbose color= lock-wait= redact-pattern= redact-emails= redact-ips= max-message-bytes= max-stack-bytes= max-stack-frames= max-attributes= max-attribute-bytes= max-name-bytes= max-record-bytes= max-decompressed-bytes= max-gzip-ratio= http-max-body-bytes= h/help V/version
end

function __fish_rounds_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rounds_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rounds_using_subcommand
    set -l cmd (__fish_rounds_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rounds -n "__fish_rounds_needs_command" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_needs_command" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_needs_command" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_needs_command" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_needs_command" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_needs_command" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_needs_command" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_needs_command" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_needs_command" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_needs_command" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_needs_command" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_needs_command" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_needs_command" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_needs_command" -s V -l version -d 'Print version'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "poll" -d 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "diagnose" -d 'Diagnose pending signatures (or the given ones) with the configured LLM'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "list" -d 'List signatures'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "show" -d 'Show everything known about one signature'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "ignore" -d 'Ignore signatures: still counted, never notified or diagnosed'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "resolve" -d 'Mark signatures resolved (a new occurrence makes them regressed)'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "split" -d 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "report" -d 'Write a findings report (markdown or JSON) to stdout'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "status" -d 'Which database and configuration this rounds uses, and how the last pass went'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "generate" -d 'Write the man pages and shell completions (into DIR, or where this user\'s tools find them)'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "store" -d 'Store maintenance: copy a SQLite store, history included, into the configured store'
complete -c rounds -n "__fish_rounds_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -s i -l input -d 'OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l backend -d 'Where errors come from' -r -f -a "otlp_file\t''
jaeger\t''
tempo\t''
loki\t''
grafana_stack\t''
signoz\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l in-app -d 'Module or path prefixes of application code (comma-separated), tried before CODEBASE_PATH and the built-in library lists' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l not-in-app -d 'Module or path prefixes that are never application code (comma-separated; wins over ROUNDS_IN_APP and CODEBASE_PATH)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l fail-on -d 'Exit 1 when signatures in these states exist after the pass (for CI gating)' -r -f -a "new\t''
regressed\t''
escalating\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l lookback-minutes -d 'First run: how far back to look, in minutes' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l overlap-minutes -d 'Re-read this many minutes before the cursor to absorb late spans' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-catchup -d 'The longest backlog one pass catches up after an outage' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l batch-size -d 'Most traces or rows one backend request asks for' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l retention-days -d 'Keep the event ledger this many days' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l resolve-after-days -d 'Resolve a signature quiet for this many days' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l services -d 'Only these services (comma-separated; default: every service the backend lists)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l jaeger-url -d 'Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l jaeger-api-version -d 'Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l jaeger-error-filter -d 'How errors are searched: auto, server (error=true tag) or client (filter each trace)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l jaeger-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l tempo-url -d 'Grafana Tempo API base URL, e.g. http://localhost:3200' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l tempo-traceql -d 'TraceQL query for error spans [default: { status = error }]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l tempo-errors -d 'Built-in error query: status ({ status = error }), exceptions (spans with an exception event, Tempo >= 2.6) or both (Tempo >= 2.6) [default: status]; TEMPO_TRACEQL wins' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l tempo-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l loki-url -d 'Grafana Loki API base URL, e.g. http://localhost:3100' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l loki-query -d 'LogQL selector for error lines' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l loki-service-label -d 'The stream label that names the service [default: service_name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l loki-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l signoz-url -d 'SigNoz API base URL, e.g. http://localhost:8080' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l signoz-exception-index -d 'Also read SigNoz\'s exception index, which holds exceptions on spans whose status is not ERROR (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l signoz-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l http-timeout -d 'Timeout of one backend request (1ms to 1h) [default: 60s]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l http-retries -d 'Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l http-backoff -d 'First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l http-max-wait -d 'Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l notify -d 'Where findings go: stdout, markdown, github_issue (comma-separated); none to disable' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l min-occurrences -d 'A new signature is announced (and diagnosed) once it has occurred this often' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l escalation-factor -d 'Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l markdown-dir -d 'Directory of the markdown notifier (one file per signature plus index.md)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l github-repository -d 'Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l github-repository-by-service -d 'Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l github-api-url -d 'GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l trace-url-template -d 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l diagnosis-backend -d 'LLM backend: claude_code, codex or openai (none: no diagnosis)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l codebase -d 'The source tree the model may read (a git work tree gives revisions and staleness)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l diagnosis-model -d 'Model id (pin a full id; the backend\'s default otherwise)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l daily-budget -d 'USD per UTC day across all runs, checked against the spend ledger before each call' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l diagnosis-budget -d 'USD cap for one diagnosis' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-diagnoses -d 'At most this many model calls per pass' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l diagnosis-timeout -d 'Wall-clock limit for one diagnosis; the backend\'s process group is killed past it' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l claude-code-path -d 'The claude binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l codex-path -d 'The codex binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l openai-base-url -d 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l llm-prices -d 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), \';\'-separated' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l check -d 'Reach the backend, authenticate, list services; write nothing'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l dry-run -d 'Do everything but write: the stdout notifier previews what would be announced'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l strict -d 'Fail (exit 65) on the first unreadable input record instead of skipping it (exit 3)'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l regroup -d 'Instead of a pass: re-fingerprint stored signatures under the current algorithm and merge those that became one (old ids stay as aliases); with --dry-run, only report'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -l json -d 'Print notifications as JSON Lines'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand poll" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l budget -d 'Spend at most this many USD in this run' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l min-occurrences -d 'A signature is diagnosed once it has occurred this often' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l diagnosis-backend -d 'LLM backend: claude_code, codex or openai (none: no diagnosis)' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l codebase -d 'The source tree the model may read (a git work tree gives revisions and staleness)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l diagnosis-model -d 'Model id (pin a full id; the backend\'s default otherwise)' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l daily-budget -d 'USD per UTC day across all runs, checked against the spend ledger before each call' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l diagnosis-budget -d 'USD cap for one diagnosis' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-diagnoses -d 'At most this many model calls per pass' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l diagnosis-timeout -d 'Wall-clock limit for one diagnosis; the backend\'s process group is killed past it' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l claude-code-path -d 'The claude binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l codex-path -d 'The codex binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l openai-base-url -d 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l llm-prices -d 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), \';\'-separated' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l force -d 'Diagnose again even if this codebase revision was already diagnosed'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l dry-run -d 'Print exactly what would be sent (after redaction) and spend nothing'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -l json -d 'JSON instead of text'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand list" -l status -d 'Only these states (comma-separated): new, investigating, diagnosed, resolved, ignored, regressed' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l service -d 'Only signatures seen in this service' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l since -d 'Only signatures seen since (a duration like 24h, or an RFC 3339 time)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l search -d 'Case-insensitive text in the type, template, service or id' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l release -d 'Only signatures seen in this release (service.version, exact)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l environment -d 'Only signatures seen in this environment (deployment.environment, case-insensitive)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l sort -r -f -a "last-seen\t''
count\t''
first-seen\t''
trend\t'Rising fastest first: the last 24 h against the 24 h before'"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l limit -d 'At most this many rows (0 = all); a cut list says "showing N of M" on stderr' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l format -d 'table (default on a terminal), tsv (default when stdout is not a terminal), or json' -r -f -a "table\t''
tsv\t''
json\t''"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l daily-budget -d 'USD per UTC day for diagnoses, to show what is left of it (with --json)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand list" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand list" -l all -d 'Every status (the default shows unresolved: new, regressed, investigating, diagnosed)'
complete -c rounds -n "__fish_rounds_using_subcommand list" -l json -d 'JSON instead of a table (same as --format json)'
complete -c rounds -n "__fish_rounds_using_subcommand list" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand list" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand show" -l events -d 'How many retained events to list (0 = all)' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l codebase -d 'The source tree, to tell whether a diagnosis is stale (files it cites changed since)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand show" -l trace-url-template -d 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l escalation-factor -d 'Flag the signature escalating when its last-24h count is this many times the previous 24h (0: never)' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand show" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand show" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand show" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand show" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand show" -l explain -d 'Print the fingerprint\'s inputs: frames kept and dropped, template'
complete -c rounds -n "__fish_rounds_using_subcommand show" -l json
complete -c rounds -n "__fish_rounds_using_subcommand show" -l no-pager -d 'Print straight to the terminal (by default a long view goes through $PAGER, else `less -FRX`)'
complete -c rounds -n "__fish_rounds_using_subcommand show" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand show" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l reason -d 'Why (kept in the status history)' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l until -d 'Ignore until this time or for this long (e.g. 7d)' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l undo -d 'Stop ignoring'
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -l json -d 'Print the signatures after the change as JSON (`changed` says which were changed)'
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand ignore" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l undo -d 'Reopen instead'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l in-next-release -d 'Resolved as of each signature\'s latest release: an occurrence in that release or an older one does not regress it, one in a newer release (or with no release) does'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -l json -d 'Print the signatures after the change as JSON (`changed` says which were changed)'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand resolve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand split" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand split" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand split" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand split" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand split" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand split" -l undo -d 'Allow merging again'
complete -c rounds -n "__fish_rounds_using_subcommand split" -l json -d 'Print the signatures after the change as JSON (`changed` says which were changed)'
complete -c rounds -n "__fish_rounds_using_subcommand split" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand split" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand split" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand report" -l codebase -d 'Source checkout: each signature lists its suspect commits (docs/suspects.md)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand report" -l since -d 'Window start: a duration (24h), an RFC 3339 time, `all` (everything the database holds), or `last` (the report last written with --mark under --cursor; 24h before the first mark). A report is a pure read unless --mark' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l cursor -d 'The named cursor `--since last` reads and `--mark` moves (one per consumer: a nightly digest and a weekly one keep apart)' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l status -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l service -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l format -r -f -a "md\t''
json\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l fail-on -d 'Exit 1 when signatures in these states are in the report (for CI gating)' -r -f -a "new\t''
regressed\t''
escalating\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l escalation-factor -d 'A signature is escalating when its last-24h count is this many times the previous 24h (0: never)' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l daily-budget -d 'Daily LLM budget in USD, to show what is left' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l trace-url-template -d 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-bytes -d 'Largest report written; the default fits a GitHub comment (65,536 characters; step summaries take 1M). Markdown keeps whole signature sections and lists the rest by id, JSON keeps the signatures that fit and says how many it left out' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand report" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand report" -l mark -d 'After writing the report, move the cursor to its end, so the next `--since last` starts there (a CI digest); the only way `report` writes to the database'
complete -c rounds -n "__fish_rounds_using_subcommand report" -l json -d 'JSON instead of markdown (same as --format json)'
complete -c rounds -n "__fish_rounds_using_subcommand report" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand report" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand report" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand status" -s i -l input -d 'OTLP/JSON input of the otlp_file backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l backend -d 'Where errors come from' -r -f -a "otlp_file\t''
jaeger\t''
tempo\t''
loki\t''
grafana_stack\t''
signoz\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l services -d 'Only these services (comma-separated; default: every service the backend lists)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l jaeger-url -d 'Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l jaeger-api-version -d 'Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l jaeger-error-filter -d 'How errors are searched: auto, server (error=true tag) or client (filter each trace)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l jaeger-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l tempo-url -d 'Grafana Tempo API base URL, e.g. http://localhost:3200' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l tempo-traceql -d 'TraceQL query for error spans [default: { status = error }]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l tempo-errors -d 'Built-in error query: status ({ status = error }), exceptions (spans with an exception event, Tempo >= 2.6) or both (Tempo >= 2.6) [default: status]; TEMPO_TRACEQL wins' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l tempo-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l loki-url -d 'Grafana Loki API base URL, e.g. http://localhost:3100' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l loki-query -d 'LogQL selector for error lines' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l loki-service-label -d 'The stream label that names the service [default: service_name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l loki-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l signoz-url -d 'SigNoz API base URL, e.g. http://localhost:8080' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l signoz-exception-index -d 'Also read SigNoz\'s exception index, which holds exceptions on spans whose status is not ERROR (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l signoz-tenant -d 'Tenant sent as X-Scope-OrgID' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l http-timeout -d 'Timeout of one backend request (1ms to 1h) [default: 60s]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l http-retries -d 'Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l http-backoff -d 'First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l http-max-wait -d 'Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l notify -d 'Where findings go: stdout, markdown, github_issue (comma-separated); none to disable' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l min-occurrences -d 'A new signature is announced (and diagnosed) once it has occurred this often' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l escalation-factor -d 'Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l markdown-dir -d 'Directory of the markdown notifier (one file per signature plus index.md)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand status" -l github-repository -d 'Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l github-repository-by-service -d 'Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l github-api-url -d 'GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l trace-url-template -d 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l diagnosis-backend -d 'LLM backend: claude_code, codex or openai (none: no diagnosis)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l codebase -d 'The source tree the model may read (a git work tree gives revisions and staleness)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand status" -l diagnosis-model -d 'Model id (pin a full id; the backend\'s default otherwise)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l daily-budget -d 'USD per UTC day across all runs, checked against the spend ledger before each call' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l diagnosis-budget -d 'USD cap for one diagnosis' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-diagnoses -d 'At most this many model calls per pass' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l diagnosis-timeout -d 'Wall-clock limit for one diagnosis; the backend\'s process group is killed past it' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l claude-code-path -d 'The claude binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand status" -l codex-path -d 'The codex binary (default: found on PATH)' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand status" -l openai-base-url -d 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l llm-prices -d 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), \';\'-separated' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand status" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand status" -l json -d 'JSON instead of text'
complete -c rounds -n "__fish_rounds_using_subcommand status" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand status" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand generate" -l install -d 'Install for this user: man pages in ~/.local/share/man/man1, bash, zsh and fish completions where those shells look'
complete -c rounds -n "__fish_rounds_using_subcommand generate" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand generate" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand generate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -f -a "copy" -d 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty'
complete -c rounds -n "__fish_rounds_using_subcommand store; and not __fish_seen_subcommand_from copy help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l from -d 'The SQLite database to copy from' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l db -d 'SQLite database file [default: <data dir>/rounds/rounds.db]' -r -F
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l store-backend -d 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)' -r -f -a "sqlite\t''
postgresql\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l pg-schema -d 'PostgreSQL schema holding rounds\' tables (created by the first writer)' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l instance -d 'This host\'s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l lock-wait -d 'How long a writer waits for another pass (or another program\'s SQLite write lock) to release the database' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l redact-pattern -d 'Extra secrets to redact: a regular expression (use | for several)' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l redact-emails -d 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l redact-ips -d 'Redact IP addresses (1/0, yes/no, on/off, true/false)' -r -f -a "true\t''
false\t''"
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-message-bytes -d 'The most bytes of exception.message (or a log body) kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-stack-bytes -d 'The most bytes of stack trace kept per event, head and tail' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-stack-frames -d 'The most stack trace lines kept per event, first and last half' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-attributes -d 'The most attributes kept per event' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-attribute-bytes -d 'The most bytes of one attribute value' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-name-bytes -d 'The most bytes of a name: service, version, span name, exception type, attribute key' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-record-bytes -d 'The largest input record: one JSON Lines line or one whole document' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-decompressed-bytes -d 'The most bytes one gzip file may inflate to' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l max-gzip-ratio -d 'The largest decompressed/compressed ratio of a gzip file, judged once 64M are inflated' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -l http-max-body-bytes -d 'The largest HTTP response body read from a backend' -r
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -s q -l quiet -d 'Print only errors'
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -s v -l verbose -d 'Print more about what happens (repeat for more)'
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "copy" -d 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty'
complete -c rounds -n "__fish_rounds_using_subcommand store; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "poll" -d 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "diagnose" -d 'Diagnose pending signatures (or the given ones) with the configured LLM'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "list" -d 'List signatures'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "show" -d 'Show everything known about one signature'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "ignore" -d 'Ignore signatures: still counted, never notified or diagnosed'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "resolve" -d 'Mark signatures resolved (a new occurrence makes them regressed)'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "split" -d 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "report" -d 'Write a findings report (markdown or JSON) to stdout'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "status" -d 'Which database and configuration this rounds uses, and how the last pass went'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "generate" -d 'Write the man pages and shell completions (into DIR, or where this user\'s tools find them)'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "store" -d 'Store maintenance: copy a SQLite store, history included, into the configured store'
complete -c rounds -n "__fish_rounds_using_subcommand help; and not __fish_seen_subcommand_from poll diagnose list show ignore resolve split report status generate store help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rounds -n "__fish_rounds_using_subcommand help; and __fish_seen_subcommand_from store" -f -a "copy" -d 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty'
