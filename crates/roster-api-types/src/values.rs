//! Values shared by request and response bodies.

use serde_json::{Map, Value};

/// A metadata object (`public_metadata`, `private_metadata`, `unsafe_metadata`): any JSON object.
pub type Metadata = Map<String, Value>;
