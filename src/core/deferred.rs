//! Attributes an event carries undecoded: most events of a pass are counted and dropped, and only
//! the few a store keeps as samples need theirs, so a source may hand over its raw attributes and
//! let whoever keeps the event decode them ([`crate::core::model::ErrorEvent::all_attributes`]).
//!
//! Decoding gives exactly the map an eager source would have built: the shared base (resource
//! attributes) first, the layer (a span's attributes) over it, the event's own attributes over
//! both; then, when the event was bounded at ingest, the same attribute caps
//! ([`crate::core::limits::Limits`]) an eager event gets at that point.

use crate::core::limits::Limits;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Raw attributes a source can decode later (a span's OTLP/JSON key-values, checked when read).
pub trait AttributeLayer: Send + Sync {
    /// Insert the layer's attributes into `into`, a repeated key keeping its last value.
    fn decode_into(&self, into: &mut BTreeMap<String, String>);
}

/// The undecoded part of an event's attributes.
#[derive(Clone)]
pub struct DeferredAttributes {
    /// Attributes shared by every event of one resource, decoded once.
    pub base: Arc<BTreeMap<String, String>>,
    /// Decoded over `base` (shared by the events of one span).
    pub layer: Option<Arc<dyn AttributeLayer>>,
    /// The caps to apply once decoded: set by [`Limits::bound`], which leaves deferred
    /// attributes to be capped whole.
    pub bound: Option<Limits>,
}

impl DeferredAttributes {
    /// Attributes over `base`, with `layer` decoded over them on demand.
    pub fn new(
        base: Arc<BTreeMap<String, String>>,
        layer: Option<Arc<dyn AttributeLayer>>,
    ) -> Self {
        DeferredAttributes {
            base,
            layer,
            bound: None,
        }
    }

    /// The whole map: base, then layer, then `own` (the event's eagerly decoded attributes),
    /// capped when the event was bounded.
    pub fn resolve(&self, own: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut all = (*self.base).clone();
        if let Some(layer) = &self.layer {
            layer.decode_into(&mut all);
        }
        for (k, v) in own {
            all.insert(k.clone(), v.clone());
        }
        if let Some(limits) = self.bound {
            limits.cap_attributes(&mut all, crate::core::redact::configured());
        }
        all
    }
}

impl fmt::Debug for DeferredAttributes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredAttributes")
            .field("base", &self.base.len())
            .field("layer", &self.layer.is_some())
            .field("bound", &self.bound.is_some())
            .finish()
    }
}

/// Equal when they decode to the same attributes under the same caps (decodes both: for tests
/// and assertions, not hot paths).
impl PartialEq for DeferredAttributes {
    fn eq(&self, other: &Self) -> bool {
        let decoded = |d: &DeferredAttributes| {
            let mut m = BTreeMap::new();
            if let Some(layer) = &d.layer {
                layer.decode_into(&mut m);
            }
            m
        };
        self.base == other.base && self.bound == other.bound && decoded(self) == decoded(other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pairs(Vec<(&'static str, &'static str)>);
    impl AttributeLayer for Pairs {
        fn decode_into(&self, into: &mut BTreeMap<String, String>) {
            for (k, v) in &self.0 {
                into.insert((*k).to_string(), (*v).to_string());
            }
        }
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn layers_apply_base_then_layer_then_own() {
        let base = Arc::new(map(&[("a", "base"), ("b", "base"), ("c", "base")]));
        let layer: Arc<dyn AttributeLayer> = Arc::new(Pairs(vec![("b", "layer"), ("c", "layer")]));
        let d = DeferredAttributes::new(base, Some(layer));
        let all = d.resolve(&map(&[("c", "own"), ("d", "own")]));
        let same: Arc<dyn AttributeLayer> = Arc::new(Pairs(vec![("b", "layer"), ("c", "layer")]));
        assert_eq!(d, DeferredAttributes::new(Arc::clone(&d.base), Some(same)));
        let other: Arc<dyn AttributeLayer> = Arc::new(Pairs(vec![("b", "other")]));
        assert_ne!(d, DeferredAttributes::new(Arc::clone(&d.base), Some(other)));
        assert_eq!(
            all,
            map(&[("a", "base"), ("b", "layer"), ("c", "own"), ("d", "own")])
        );
    }

    #[test]
    fn bounded_attributes_are_capped_whole() {
        let base = Arc::new(
            (0..10)
                .map(|i| (format!("k{i}"), "v".repeat(50)))
                .collect::<BTreeMap<_, _>>(),
        );
        let mut d = DeferredAttributes::new(base, None);
        let limits = Limits {
            attributes: 4,
            attribute_value_bytes: 20,
            ..Limits::default()
        };
        d.bound = Some(limits);
        let all = d.resolve(&map(&[("api_token", "hunter2")]));
        let mut eager: BTreeMap<String, String> = (*d.base).clone();
        eager.insert("api_token".into(), "hunter2".into());
        limits.cap_attributes(&mut eager, crate::core::redact::configured());
        assert_eq!(all, eager);
        assert_eq!(all.len(), 5, "4 kept plus the dropped count: {all:?}");
    }
}
