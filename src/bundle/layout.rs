//! The two fixed files of an OCI image layout: `oci-layout` and `index.json`.

use super::{Bundle, BundleError};

/// The only `imageLayoutVersion` defined by the OCI image-layout specification.
pub const SUPPORTED_LAYOUT_VERSION: &str = "1.0.0";

#[derive(serde::Deserialize)]
struct OciLayoutFile {
    #[serde(rename = "imageLayoutVersion")]
    image_layout_version: Option<String>,
}

/// `oci-layout` exists and names version 1.0.0; `index.json` exists (it is parsed with the
/// graph).
pub(super) fn check_layout_files(bundle: &Bundle) -> Result<(), BundleError> {
    let missing = |file: &str| BundleError::MissingFile {
        bundle: bundle.name.clone(),
        file: file.to_string(),
    };
    let layout = bundle
        .oci_layout
        .as_deref()
        .ok_or_else(|| missing("oci-layout"))?;
    layout_version_is_supported(layout, &bundle.name)?;
    if bundle.index_json.is_none() {
        return Err(missing("index.json"));
    }
    Ok(())
}

/// `oci-layout` is a JSON object whose `imageLayoutVersion` is `1.0.0`.
fn layout_version_is_supported(content: &[u8], bundle: &str) -> Result<(), BundleError> {
    let parsed: OciLayoutFile =
        serde_json::from_slice(content).map_err(|e| BundleError::InvalidJson {
            bundle: bundle.to_string(),
            entry: "oci-layout".to_string(),
            message: e.to_string(),
        })?;
    match parsed.image_layout_version.as_deref() {
        Some(SUPPORTED_LAYOUT_VERSION) => Ok(()),
        other => Err(BundleError::UnsupportedLayoutVersion {
            bundle: bundle.to_string(),
            found: other.map_or_else(|| "(none)".to_string(), |v| format!("{v:?}")),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_version_1_0_0_is_supported() {
        assert!(layout_version_is_supported(br#"{"imageLayoutVersion":"1.0.0"}"#, "b").is_ok());
    }

    #[test]
    fn other_layout_versions_are_rejected() {
        let e = layout_version_is_supported(br#"{"imageLayoutVersion":"2.0.0"}"#, "b");
        assert!(matches!(
            e,
            Err(BundleError::UnsupportedLayoutVersion { .. })
        ));
        let e = layout_version_is_supported(b"{}", "b");
        assert!(matches!(
            e,
            Err(BundleError::UnsupportedLayoutVersion { .. })
        ));
        let e = layout_version_is_supported(b"nope", "b");
        assert!(matches!(e, Err(BundleError::InvalidJson { .. })));
    }
}
