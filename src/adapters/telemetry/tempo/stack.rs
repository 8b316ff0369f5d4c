//! `TELEMETRY_BACKEND=grafana_stack`: Tempo (error spans) and Loki (error logs) read as one source.
//!
//! With `OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs/dup` one exception reaches both; the two
//! events carry the same trace id, span id, type, message and stack trace (both mappings copy the
//! `exception.*` attributes verbatim), so the ledger counts the exception once.

use super::TempoSource;
use crate::adapters::telemetry::common::{sorted_services, DedupSink};
use crate::adapters::telemetry::loki::LokiSource;
use crate::core::ports::telemetry::{
    EventSink, FetchReport, PollWindow, SourceCheck, TelemetryError, TelemetrySource, TraceSpan,
};

pub struct GrafanaStackSource {
    tempo: TempoSource,
    loki: LokiSource,
    services: Vec<String>,
}

const BACKEND: &str = "grafana_stack";

impl GrafanaStackSource {
    /// Both sources should be configured with the same service set.
    pub fn new(tempo: TempoSource, loki: LokiSource) -> Self {
        let services = sorted_services(tempo.services());
        GrafanaStackSource {
            tempo,
            loki,
            services,
        }
    }
}

fn stops_everything(e: &TelemetryError) -> bool {
    matches!(
        e,
        TelemetryError::Auth { .. } | TelemetryError::Config { .. } | TelemetryError::Sink(_)
    )
}

impl TelemetrySource for GrafanaStackSource {
    fn backend(&self) -> &str {
        BACKEND
    }

    fn cursor_scope(&self) -> String {
        let set = if self.services.is_empty() {
            "*".to_string()
        } else {
            self.services.join(",")
        };
        format!(
            "{BACKEND}|{}+{}|{set}",
            self.tempo.base_url(),
            self.loki.base_url()
        )
    }

    fn check(&mut self) -> Result<SourceCheck, TelemetryError> {
        let t = self.tempo.check()?;
        let l = self.loki.check()?;
        let mut services = t.services.clone();
        services.extend(l.services.iter().cloned());
        let mut notes: Vec<String> = t.notes.iter().map(|n| format!("tempo: {n}")).collect();
        notes.extend(l.notes.iter().map(|n| format!("loki: {n}")));
        notes.push(format!(
            "tempo services: {}, loki services: {}",
            t.services.len(),
            l.services.len()
        ));
        Ok(SourceCheck {
            backend: BACKEND.into(),
            endpoint: format!("{} + {}", t.endpoint, l.endpoint),
            services: sorted_services(&services),
            notes,
        })
    }

    fn fetch(
        &mut self,
        window: PollWindow,
        sink: &mut EventSink<'_>,
    ) -> Result<FetchReport, TelemetryError> {
        let mut report = FetchReport::default();
        let mut dedup = DedupSink::new(sink);
        // A backend that fails for a reason of its own (down, slow, bad answer) does not cost the
        // other one its events; credentials, configuration and the store stop the pass.
        let tempo = self.tempo.fetch_into(window, &mut dedup, &mut report);
        if let Err(e) = &tempo {
            if stops_everything(e) {
                return tempo.map(|_| report);
            }
        }
        let mut loki_report = FetchReport::default();
        let loki = self
            .loki
            .fetch(window, &mut |ev| dedup.push(ev).map_err(|e| e.to_string()));
        match (tempo, loki) {
            (Err(te), Err(le)) => Err(if le.severity() > te.severity() {
                le
            } else {
                te
            }),
            (Err(te), Ok(lr)) => {
                loki_report = lr;
                report.partial_failures.push(("tempo".into(), te));
                Ok(())
            }
            (Ok(()), Err(le)) if stops_everything(&le) => Err(le),
            (Ok(()), Err(le)) => {
                report.partial_failures.push(("loki".into(), le));
                Ok(())
            }
            (Ok(()), Ok(lr)) => {
                loki_report = lr;
                Ok(())
            }
        }?;
        report.notes.extend(loki_report.notes);
        report.partial_failures.extend(loki_report.partial_failures);
        Ok(report)
    }

    fn fetch_trace(&mut self, trace_id: &str) -> Result<Option<Vec<TraceSpan>>, TelemetryError> {
        self.tempo.fetch_trace(trace_id)
    }
}
