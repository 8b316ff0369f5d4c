
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rounds' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rounds'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rounds' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('poll', 'poll', [CompletionResultType]::ParameterValue, 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Diagnose pending signatures (or the given ones) with the configured LLM')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List signatures')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything known about one signature')
            [CompletionResult]::new('ignore', 'ignore', [CompletionResultType]::ParameterValue, 'Ignore signatures: still counted, never notified or diagnosed')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Mark signatures resolved (a new occurrence makes them regressed)')
            [CompletionResult]::new('split', 'split', [CompletionResultType]::ParameterValue, 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a findings report (markdown or JSON) to stdout')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which database and configuration this rounds uses, and how the last pass went')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions (into DIR, or where this user''s tools find them)')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Store maintenance: copy a SQLite store, history included, into the configured store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rounds;poll' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'OTLP/JSON input: a file, a directory of files, or - for stdin (implies the otlp_file backend)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where errors come from')
            [CompletionResult]::new('--in-app', '--in-app', [CompletionResultType]::ParameterName, 'Module or path prefixes of application code (comma-separated), tried before CODEBASE_PATH and the built-in library lists')
            [CompletionResult]::new('--not-in-app', '--not-in-app', [CompletionResultType]::ParameterName, 'Module or path prefixes that are never application code (comma-separated; wins over ROUNDS_IN_APP and CODEBASE_PATH)')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when signatures in these states exist after the pass (for CI gating)')
            [CompletionResult]::new('--lookback-minutes', '--lookback-minutes', [CompletionResultType]::ParameterName, 'First run: how far back to look, in minutes')
            [CompletionResult]::new('--overlap-minutes', '--overlap-minutes', [CompletionResultType]::ParameterName, 'Re-read this many minutes before the cursor to absorb late spans')
            [CompletionResult]::new('--max-catchup', '--max-catchup', [CompletionResultType]::ParameterName, 'The longest backlog one pass catches up after an outage')
            [CompletionResult]::new('--batch-size', '--batch-size', [CompletionResultType]::ParameterName, 'Most traces or rows one backend request asks for')
            [CompletionResult]::new('--retention-days', '--retention-days', [CompletionResultType]::ParameterName, 'Keep the event ledger this many days')
            [CompletionResult]::new('--resolve-after-days', '--resolve-after-days', [CompletionResultType]::ParameterName, 'Resolve a signature quiet for this many days')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Only these services (comma-separated; default: every service the backend lists)')
            [CompletionResult]::new('--jaeger-url', '--jaeger-url', [CompletionResultType]::ParameterName, 'Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)')
            [CompletionResult]::new('--jaeger-api-version', '--jaeger-api-version', [CompletionResultType]::ParameterName, 'Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)')
            [CompletionResult]::new('--jaeger-error-filter', '--jaeger-error-filter', [CompletionResultType]::ParameterName, 'How errors are searched: auto, server (error=true tag) or client (filter each trace)')
            [CompletionResult]::new('--jaeger-tenant', '--jaeger-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--tempo-url', '--tempo-url', [CompletionResultType]::ParameterName, 'Grafana Tempo API base URL, e.g. http://localhost:3200')
            [CompletionResult]::new('--tempo-traceql', '--tempo-traceql', [CompletionResultType]::ParameterName, 'TraceQL query for error spans [default: { status = error }]')
            [CompletionResult]::new('--tempo-errors', '--tempo-errors', [CompletionResultType]::ParameterName, 'Built-in error query: status ({ status = error }), exceptions (spans with an exception event, Tempo >= 2.6) or both (Tempo >= 2.6) [default: status]; TEMPO_TRACEQL wins')
            [CompletionResult]::new('--tempo-tenant', '--tempo-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--loki-url', '--loki-url', [CompletionResultType]::ParameterName, 'Grafana Loki API base URL, e.g. http://localhost:3100')
            [CompletionResult]::new('--loki-query', '--loki-query', [CompletionResultType]::ParameterName, 'LogQL selector for error lines')
            [CompletionResult]::new('--loki-service-label', '--loki-service-label', [CompletionResultType]::ParameterName, 'The stream label that names the service [default: service_name]')
            [CompletionResult]::new('--loki-tenant', '--loki-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--signoz-url', '--signoz-url', [CompletionResultType]::ParameterName, 'SigNoz API base URL, e.g. http://localhost:8080')
            [CompletionResult]::new('--signoz-exception-index', '--signoz-exception-index', [CompletionResultType]::ParameterName, 'Also read SigNoz''s exception index, which holds exceptions on spans whose status is not ERROR (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--signoz-tenant', '--signoz-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Timeout of one backend request (1ms to 1h) [default: 60s]')
            [CompletionResult]::new('--http-retries', '--http-retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]')
            [CompletionResult]::new('--http-backoff', '--http-backoff', [CompletionResultType]::ParameterName, 'First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]')
            [CompletionResult]::new('--http-max-wait', '--http-max-wait', [CompletionResultType]::ParameterName, 'Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Where findings go: stdout, markdown, github_issue (comma-separated); none to disable')
            [CompletionResult]::new('--min-occurrences', '--min-occurrences', [CompletionResultType]::ParameterName, 'A new signature is announced (and diagnosed) once it has occurred this often')
            [CompletionResult]::new('--escalation-factor', '--escalation-factor', [CompletionResultType]::ParameterName, 'Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)')
            [CompletionResult]::new('--markdown-dir', '--markdown-dir', [CompletionResultType]::ParameterName, 'Directory of the markdown notifier (one file per signature plus index.md)')
            [CompletionResult]::new('--github-repository', '--github-repository', [CompletionResultType]::ParameterName, 'Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)')
            [CompletionResult]::new('--github-repository-by-service', '--github-repository-by-service', [CompletionResultType]::ParameterName, 'Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)')
            [CompletionResult]::new('--github-api-url', '--github-api-url', [CompletionResultType]::ParameterName, 'GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)')
            [CompletionResult]::new('--trace-url-template', '--trace-url-template', [CompletionResultType]::ParameterName, 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}')
            [CompletionResult]::new('--diagnosis-backend', '--diagnosis-backend', [CompletionResultType]::ParameterName, 'LLM backend: claude_code, codex or openai (none: no diagnosis)')
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'The source tree the model may read (a git work tree gives revisions and staleness)')
            [CompletionResult]::new('--diagnosis-model', '--diagnosis-model', [CompletionResultType]::ParameterName, 'Model id (pin a full id; the backend''s default otherwise)')
            [CompletionResult]::new('--daily-budget', '--daily-budget', [CompletionResultType]::ParameterName, 'USD per UTC day across all runs, checked against the spend ledger before each call')
            [CompletionResult]::new('--diagnosis-budget', '--diagnosis-budget', [CompletionResultType]::ParameterName, 'USD cap for one diagnosis')
            [CompletionResult]::new('--max-diagnoses', '--max-diagnoses', [CompletionResultType]::ParameterName, 'At most this many model calls per pass')
            [CompletionResult]::new('--diagnosis-timeout', '--diagnosis-timeout', [CompletionResultType]::ParameterName, 'Wall-clock limit for one diagnosis; the backend''s process group is killed past it')
            [CompletionResult]::new('--claude-code-path', '--claude-code-path', [CompletionResultType]::ParameterName, 'The claude binary (default: found on PATH)')
            [CompletionResult]::new('--codex-path', '--codex-path', [CompletionResultType]::ParameterName, 'The codex binary (default: found on PATH)')
            [CompletionResult]::new('--openai-base-url', '--openai-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)')
            [CompletionResult]::new('--llm-prices', '--llm-prices', [CompletionResultType]::ParameterName, 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), '';''-separated')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Reach the backend, authenticate, list services; write nothing')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Do everything but write: the stdout notifier previews what would be announced')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 65) on the first unreadable input record instead of skipping it (exit 3)')
            [CompletionResult]::new('--regroup', '--regroup', [CompletionResultType]::ParameterName, 'Instead of a pass: re-fingerprint stored signatures under the current algorithm and merge those that became one (old ids stay as aliases); with --dry-run, only report')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print notifications as JSON Lines')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;diagnose' {
            [CompletionResult]::new('--budget', '--budget', [CompletionResultType]::ParameterName, 'Spend at most this many USD in this run')
            [CompletionResult]::new('--min-occurrences', '--min-occurrences', [CompletionResultType]::ParameterName, 'A signature is diagnosed once it has occurred this often')
            [CompletionResult]::new('--diagnosis-backend', '--diagnosis-backend', [CompletionResultType]::ParameterName, 'LLM backend: claude_code, codex or openai (none: no diagnosis)')
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'The source tree the model may read (a git work tree gives revisions and staleness)')
            [CompletionResult]::new('--diagnosis-model', '--diagnosis-model', [CompletionResultType]::ParameterName, 'Model id (pin a full id; the backend''s default otherwise)')
            [CompletionResult]::new('--daily-budget', '--daily-budget', [CompletionResultType]::ParameterName, 'USD per UTC day across all runs, checked against the spend ledger before each call')
            [CompletionResult]::new('--diagnosis-budget', '--diagnosis-budget', [CompletionResultType]::ParameterName, 'USD cap for one diagnosis')
            [CompletionResult]::new('--max-diagnoses', '--max-diagnoses', [CompletionResultType]::ParameterName, 'At most this many model calls per pass')
            [CompletionResult]::new('--diagnosis-timeout', '--diagnosis-timeout', [CompletionResultType]::ParameterName, 'Wall-clock limit for one diagnosis; the backend''s process group is killed past it')
            [CompletionResult]::new('--claude-code-path', '--claude-code-path', [CompletionResultType]::ParameterName, 'The claude binary (default: found on PATH)')
            [CompletionResult]::new('--codex-path', '--codex-path', [CompletionResultType]::ParameterName, 'The codex binary (default: found on PATH)')
            [CompletionResult]::new('--openai-base-url', '--openai-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)')
            [CompletionResult]::new('--llm-prices', '--llm-prices', [CompletionResultType]::ParameterName, 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), '';''-separated')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Diagnose again even if this codebase revision was already diagnosed')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print exactly what would be sent (after redaction) and spend nothing')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;list' {
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only these states (comma-separated): new, investigating, diagnosed, resolved, ignored, regressed')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Only signatures seen in this service')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only signatures seen since (a duration like 24h, or an RFC 3339 time)')
            [CompletionResult]::new('--search', '--search', [CompletionResultType]::ParameterName, 'Case-insensitive text in the type, template, service or id')
            [CompletionResult]::new('--release', '--release', [CompletionResultType]::ParameterName, 'Only signatures seen in this release (service.version, exact)')
            [CompletionResult]::new('--environment', '--environment', [CompletionResultType]::ParameterName, 'Only signatures seen in this environment (deployment.environment, case-insensitive)')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'sort')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'At most this many rows (0 = all); a cut list says "showing N of M" on stderr')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'table (default on a terminal), tsv (default when stdout is not a terminal), or json')
            [CompletionResult]::new('--daily-budget', '--daily-budget', [CompletionResultType]::ParameterName, 'USD per UTC day for diagnoses, to show what is left of it (with --json)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every status (the default shows unresolved: new, regressed, investigating, diagnosed)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON instead of a table (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rounds;show' {
            [CompletionResult]::new('--events', '--events', [CompletionResultType]::ParameterName, 'How many retained events to list (0 = all)')
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'The source tree, to tell whether a diagnosis is stale (files it cites changed since)')
            [CompletionResult]::new('--trace-url-template', '--trace-url-template', [CompletionResultType]::ParameterName, 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}')
            [CompletionResult]::new('--escalation-factor', '--escalation-factor', [CompletionResultType]::ParameterName, 'Flag the signature escalating when its last-24h count is this many times the previous 24h (0: never)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print the fingerprint''s inputs: frames kept and dropped, template')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'json')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print straight to the terminal (by default a long view goes through $PAGER, else `less -FRX`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;ignore' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why (kept in the status history)')
            [CompletionResult]::new('--until', '--until', [CompletionResultType]::ParameterName, 'Ignore until this time or for this long (e.g. 7d)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--undo', '--undo', [CompletionResultType]::ParameterName, 'Stop ignoring')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the signatures after the change as JSON (`changed` says which were changed)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;resolve' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--undo', '--undo', [CompletionResultType]::ParameterName, 'Reopen instead')
            [CompletionResult]::new('--in-next-release', '--in-next-release', [CompletionResultType]::ParameterName, 'Resolved as of each signature''s latest release: an occurrence in that release or an older one does not regress it, one in a newer release (or with no release) does')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the signatures after the change as JSON (`changed` says which were changed)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;split' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--undo', '--undo', [CompletionResultType]::ParameterName, 'Allow merging again')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print the signatures after the change as JSON (`changed` says which were changed)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;report' {
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'Source checkout: each signature lists its suspect commits (docs/suspects.md)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Window start: a duration (24h), an RFC 3339 time, `all` (everything the database holds), or `last` (the report last written with --mark under --cursor; 24h before the first mark). A report is a pure read unless --mark')
            [CompletionResult]::new('--cursor', '--cursor', [CompletionResultType]::ParameterName, 'The named cursor `--since last` reads and `--mark` moves (one per consumer: a nightly digest and a weekly one keep apart)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'status')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'service')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'format')
            [CompletionResult]::new('--fail-on', '--fail-on', [CompletionResultType]::ParameterName, 'Exit 1 when signatures in these states are in the report (for CI gating)')
            [CompletionResult]::new('--escalation-factor', '--escalation-factor', [CompletionResultType]::ParameterName, 'A signature is escalating when its last-24h count is this many times the previous 24h (0: never)')
            [CompletionResult]::new('--daily-budget', '--daily-budget', [CompletionResultType]::ParameterName, 'Daily LLM budget in USD, to show what is left')
            [CompletionResult]::new('--trace-url-template', '--trace-url-template', [CompletionResultType]::ParameterName, 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}')
            [CompletionResult]::new('--max-bytes', '--max-bytes', [CompletionResultType]::ParameterName, 'Largest report written; the default fits a GitHub comment (65,536 characters; step summaries take 1M). Markdown keeps whole signature sections and lists the rest by id, JSON keeps the signatures that fit and says how many it left out')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--mark', '--mark', [CompletionResultType]::ParameterName, 'After writing the report, move the cursor to its end, so the next `--since last` starts there (a CI digest); the only way `report` writes to the database')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON instead of markdown (same as --format json)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;status' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'OTLP/JSON input of the otlp_file backend')
            [CompletionResult]::new('--input', '--input', [CompletionResultType]::ParameterName, 'OTLP/JSON input of the otlp_file backend')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Where errors come from')
            [CompletionResult]::new('--services', '--services', [CompletionResultType]::ParameterName, 'Only these services (comma-separated; default: every service the backend lists)')
            [CompletionResult]::new('--jaeger-url', '--jaeger-url', [CompletionResultType]::ParameterName, 'Jaeger query API base URL, e.g. http://localhost:16686 (a path prefix is kept)')
            [CompletionResult]::new('--jaeger-api-version', '--jaeger-api-version', [CompletionResultType]::ParameterName, 'Jaeger API: auto, v1 (/api/traces) or v3 (/api/v3)')
            [CompletionResult]::new('--jaeger-error-filter', '--jaeger-error-filter', [CompletionResultType]::ParameterName, 'How errors are searched: auto, server (error=true tag) or client (filter each trace)')
            [CompletionResult]::new('--jaeger-tenant', '--jaeger-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--tempo-url', '--tempo-url', [CompletionResultType]::ParameterName, 'Grafana Tempo API base URL, e.g. http://localhost:3200')
            [CompletionResult]::new('--tempo-traceql', '--tempo-traceql', [CompletionResultType]::ParameterName, 'TraceQL query for error spans [default: { status = error }]')
            [CompletionResult]::new('--tempo-errors', '--tempo-errors', [CompletionResultType]::ParameterName, 'Built-in error query: status ({ status = error }), exceptions (spans with an exception event, Tempo >= 2.6) or both (Tempo >= 2.6) [default: status]; TEMPO_TRACEQL wins')
            [CompletionResult]::new('--tempo-tenant', '--tempo-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--loki-url', '--loki-url', [CompletionResultType]::ParameterName, 'Grafana Loki API base URL, e.g. http://localhost:3100')
            [CompletionResult]::new('--loki-query', '--loki-query', [CompletionResultType]::ParameterName, 'LogQL selector for error lines')
            [CompletionResult]::new('--loki-service-label', '--loki-service-label', [CompletionResultType]::ParameterName, 'The stream label that names the service [default: service_name]')
            [CompletionResult]::new('--loki-tenant', '--loki-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--signoz-url', '--signoz-url', [CompletionResultType]::ParameterName, 'SigNoz API base URL, e.g. http://localhost:8080')
            [CompletionResult]::new('--signoz-exception-index', '--signoz-exception-index', [CompletionResultType]::ParameterName, 'Also read SigNoz''s exception index, which holds exceptions on spans whose status is not ERROR (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--signoz-tenant', '--signoz-tenant', [CompletionResultType]::ParameterName, 'Tenant sent as X-Scope-OrgID')
            [CompletionResult]::new('--http-timeout', '--http-timeout', [CompletionResultType]::ParameterName, 'Timeout of one backend request (1ms to 1h) [default: 60s]')
            [CompletionResult]::new('--http-retries', '--http-retries', [CompletionResultType]::ParameterName, 'Retries of a failed request (timeouts, 429, 5xx; 0 to 20) [default: 3]')
            [CompletionResult]::new('--http-backoff', '--http-backoff', [CompletionResultType]::ParameterName, 'First retry backoff, doubling per attempt (0s to 10m) [default: 500ms]')
            [CompletionResult]::new('--http-max-wait', '--http-max-wait', [CompletionResultType]::ParameterName, 'Longest single wait, backoff or Retry-After (0s to 1h) [default: 30s]')
            [CompletionResult]::new('--notify', '--notify', [CompletionResultType]::ParameterName, 'Where findings go: stdout, markdown, github_issue (comma-separated); none to disable')
            [CompletionResult]::new('--min-occurrences', '--min-occurrences', [CompletionResultType]::ParameterName, 'A new signature is announced (and diagnosed) once it has occurred this often')
            [CompletionResult]::new('--escalation-factor', '--escalation-factor', [CompletionResultType]::ParameterName, 'Announce a signature as escalating when its last-24h count is this many times the previous 24h (0: never)')
            [CompletionResult]::new('--markdown-dir', '--markdown-dir', [CompletionResultType]::ParameterName, 'Directory of the markdown notifier (one file per signature plus index.md)')
            [CompletionResult]::new('--github-repository', '--github-repository', [CompletionResultType]::ParameterName, 'Repository for the github_issue notifier, owner/name (the token comes from GITHUB_TOKEN only)')
            [CompletionResult]::new('--github-repository-by-service', '--github-repository-by-service', [CompletionResultType]::ParameterName, 'Per-service repositories: service=owner/name,... (others go to GITHUB_REPOSITORY)')
            [CompletionResult]::new('--github-api-url', '--github-api-url', [CompletionResultType]::ParameterName, 'GitHub REST API root (GitHub Enterprise: https://HOST/api/v3)')
            [CompletionResult]::new('--trace-url-template', '--trace-url-template', [CompletionResultType]::ParameterName, 'Link trace ids with this URL, e.g. http://jaeger:16686/trace/{trace_id}')
            [CompletionResult]::new('--diagnosis-backend', '--diagnosis-backend', [CompletionResultType]::ParameterName, 'LLM backend: claude_code, codex or openai (none: no diagnosis)')
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'The source tree the model may read (a git work tree gives revisions and staleness)')
            [CompletionResult]::new('--diagnosis-model', '--diagnosis-model', [CompletionResultType]::ParameterName, 'Model id (pin a full id; the backend''s default otherwise)')
            [CompletionResult]::new('--daily-budget', '--daily-budget', [CompletionResultType]::ParameterName, 'USD per UTC day across all runs, checked against the spend ledger before each call')
            [CompletionResult]::new('--diagnosis-budget', '--diagnosis-budget', [CompletionResultType]::ParameterName, 'USD cap for one diagnosis')
            [CompletionResult]::new('--max-diagnoses', '--max-diagnoses', [CompletionResultType]::ParameterName, 'At most this many model calls per pass')
            [CompletionResult]::new('--diagnosis-timeout', '--diagnosis-timeout', [CompletionResultType]::ParameterName, 'Wall-clock limit for one diagnosis; the backend''s process group is killed past it')
            [CompletionResult]::new('--claude-code-path', '--claude-code-path', [CompletionResultType]::ParameterName, 'The claude binary (default: found on PATH)')
            [CompletionResult]::new('--codex-path', '--codex-path', [CompletionResultType]::ParameterName, 'The codex binary (default: found on PATH)')
            [CompletionResult]::new('--openai-base-url', '--openai-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible base URL, e.g. http://localhost:11434/v1 for Ollama. Its API key is read from OPENAI_API_KEY in the environment only (never a flag: argv is visible to other users)')
            [CompletionResult]::new('--llm-prices', '--llm-prices', [CompletionResultType]::ParameterName, 'Price overrides: MODEL=IN,CACHED,OUT[,CONTEXT,MAX_OUT] (USD per million tokens), '';''-separated')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'JSON instead of text')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;generate' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--install', '--install', [CompletionResultType]::ParameterName, 'Install for this user: man pages in ~/.local/share/man/man1, bash, zsh and fish completions where those shells look')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;store' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rounds;store;copy' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The SQLite database to copy from')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'SQLite database file [default: <data dir>/rounds/rounds.db]')
            [CompletionResult]::new('--store-backend', '--store-backend', [CompletionResultType]::ParameterName, 'Store backend: sqlite (one local file) or postgresql (one store shared by many hosts, at DATABASE_URL: read from the environment only, its password never shown)')
            [CompletionResult]::new('--pg-schema', '--pg-schema', [CompletionResultType]::ParameterName, 'PostgreSQL schema holding rounds'' tables (created by the first writer)')
            [CompletionResult]::new('--instance', '--instance', [CompletionResultType]::ParameterName, 'This host''s name in a shared (PostgreSQL) store: its cursors and file checkpoints are its own [default: the host name]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--lock-wait', '--lock-wait', [CompletionResultType]::ParameterName, 'How long a writer waits for another pass (or another program''s SQLite write lock) to release the database')
            [CompletionResult]::new('--redact-pattern', '--redact-pattern', [CompletionResultType]::ParameterName, 'Extra secrets to redact: a regular expression (use | for several)')
            [CompletionResult]::new('--redact-emails', '--redact-emails', [CompletionResultType]::ParameterName, 'Redact e-mail addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('--redact-ips', '--redact-ips', [CompletionResultType]::ParameterName, 'Redact IP addresses (1/0, yes/no, on/off, true/false)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what happens (repeat for more)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rounds;store;help' {
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rounds;store;help;copy' {
            break
        }
        'rounds;store;help;help' {
            break
        }
        'rounds;help' {
            [CompletionResult]::new('poll', 'poll', [CompletionResultType]::ParameterValue, 'Run one pass: read errors, fingerprint, dedup, triage, diagnose, notify; then exit')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Diagnose pending signatures (or the given ones) with the configured LLM')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List signatures')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything known about one signature')
            [CompletionResult]::new('ignore', 'ignore', [CompletionResultType]::ParameterValue, 'Ignore signatures: still counted, never notified or diagnosed')
            [CompletionResult]::new('resolve', 'resolve', [CompletionResultType]::ParameterValue, 'Mark signatures resolved (a new occurrence makes them regressed)')
            [CompletionResult]::new('split', 'split', [CompletionResultType]::ParameterValue, 'Keep signatures apart (no-merge): a widening template or --regroup never absorbs them')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Write a findings report (markdown or JSON) to stdout')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Which database and configuration this rounds uses, and how the last pass went')
            [CompletionResult]::new('generate', 'generate', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions (into DIR, or where this user''s tools find them)')
            [CompletionResult]::new('store', 'store', [CompletionResultType]::ParameterValue, 'Store maintenance: copy a SQLite store, history included, into the configured store')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rounds;help;poll' {
            break
        }
        'rounds;help;diagnose' {
            break
        }
        'rounds;help;list' {
            break
        }
        'rounds;help;show' {
            break
        }
        'rounds;help;ignore' {
            break
        }
        'rounds;help;resolve' {
            break
        }
        'rounds;help;split' {
            break
        }
        'rounds;help;report' {
            break
        }
        'rounds;help;status' {
            break
        }
        'rounds;help;generate' {
            break
        }
        'rounds;help;store' {
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy everything in a SQLite store (signatures, ledger, samples, history, diagnoses, spend, notifications, cursors, aliases, state) into the configured store (STORE_BACKEND=postgresql with DATABASE_URL), which must be empty')
            break
        }
        'rounds;help;store;copy' {
            break
        }
        'rounds;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
