//! Linux: the freedesktop Secret Service over the D-Bus session bus.
//!
//! Before handing out the store, a probe walks the chain a headless or half-configured machine
//! breaks: session bus → a Secret Service provider (running or D-Bus-activatable) → a default
//! collection (the "login" keyring) → its lock state. Each broken link gets its own explanation.

use std::path::Path;

use zbus::blocking::fdo::DBusProxy;
use zbus::blocking::{Connection, Proxy};
use zbus::names::BusName;
use zbus::zvariant::OwnedObjectPath;

use super::StoreError;
use super::error::ALTERNATIVES;
use super::keyring::KeyringStore;

const SECRETS_NAME: &str = "org.freedesktop.secrets";
const SECRETS_PATH: &str = "/org/freedesktop/secrets";
const SERVICE_INTERFACE: &str = "org.freedesktop.Secret.Service";
const COLLECTION_INTERFACE: &str = "org.freedesktop.Secret.Collection";

/// The headless fix for both a missing and a locked login keyring: a running daemon ignores a plain
/// `--unlock`, but a replacing one creates (or opens) the login keyring and unlocks it.
const GNOME_KEYRING_RESTART: &str = "restart GNOME Keyring with `gnome-keyring-daemon --replace --unlock`, typing the login keyring's password (or a new one) on its standard input";

pub(crate) fn open() -> Result<KeyringStore, StoreError> {
    let name = format!("Secret Service ({})", probe()?);
    let store = zbus_secret_service_keyring_store::Store::new()
        .map_err(|e| unavailable(format!("{name} refused a session: {e}")))?;
    Ok(KeyringStore::new(store, name))
}

fn unavailable(reason: String) -> StoreError {
    StoreError::Unavailable {
        reason,
        advice: ALTERNATIVES.to_owned(),
    }
}

/// Checks every link up to the default collection; returns the provider's name.
fn probe() -> Result<String, StoreError> {
    let address = session_bus_address()?;
    let conn = Connection::session().map_err(|e| {
        unavailable(format!(
            "cannot connect to the D-Bus session bus at {address}: {e}"
        ))
    })?;
    let bus_error = |e: zbus::Error| {
        unavailable(format!(
            "the D-Bus session bus at {address} did not answer: {e}"
        ))
    };
    let dbus = DBusProxy::new(&conn).map_err(bus_error)?;
    let secrets = BusName::try_from(SECRETS_NAME).map_err(|e| bus_error(e.into()))?;
    let running = dbus
        .name_has_owner(secrets.clone())
        .map_err(|e| bus_error(e.into()))?;
    if !running {
        let activatable = dbus
            .list_activatable_names()
            .map_err(|e| bus_error(e.into()))?
            .iter()
            .any(|n| n.as_str() == SECRETS_NAME);
        if !activatable {
            return Err(unavailable(
                "no Secret Service provider is running (install and start gnome-keyring or KeePassXC's Secret Service)".to_owned(),
            ));
        }
    }

    // Asking for the default collection also starts an activatable provider.
    let service =
        Proxy::new(&conn, SECRETS_NAME, SECRETS_PATH, SERVICE_INTERFACE).map_err(bus_error)?;
    let default: OwnedObjectPath = service.call("ReadAlias", &("default",)).map_err(|e| {
        let reason = if running {
            format!("the Secret Service provider did not answer: {e}")
        } else {
            format!("the Secret Service provider could not be started by D-Bus: {e}")
        };
        unavailable(reason)
    })?;
    let provider = provider_name(&dbus, secrets);
    if default.as_str() == "/" {
        return Err(StoreError::Unavailable {
            reason: format!("{provider} has no default keyring (no \"login\" collection)"),
            advice: format!(
                "create a default keyring with your keyring manager (e.g. Seahorse, \"Passwords and Keys\"), or on a machine without a desktop {GNOME_KEYRING_RESTART}; or {ALTERNATIVES}"
            ),
        });
    }
    let collection = Proxy::new(&conn, SECRETS_NAME, default.as_str(), COLLECTION_INTERFACE)
        .map_err(bus_error)?;
    let locked: bool = collection
        .get_property("Locked")
        .map_err(|e| unavailable(format!("{provider} did not say whether it is locked: {e}")))?;
    // On a desktop the first access shows an unlock prompt; without one nobody could answer it.
    if locked && !graphical_session() {
        return Err(StoreError::Locked {
            store: format!("the keyring of Secret Service ({provider})"),
            advice: format!(
                "no desktop session is here to show the unlock prompt: unlock it first (for GNOME Keyring, {GNOME_KEYRING_RESTART}), or {ALTERNATIVES}"
            ),
        });
    }
    Ok(provider)
}

/// The session bus address zbus will use, or why there is none.
fn session_bus_address() -> Result<String, StoreError> {
    if let Some(address) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").filter(|a| !a.is_empty()) {
        return Ok(address.to_string_lossy().into_owned());
    }
    // zbus falls back to the systemd user bus socket.
    let runtime_dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map(|d| Path::new(&d).to_path_buf())
        .unwrap_or_else(|| Path::new("/run/user").join(effective_uid()));
    let socket = runtime_dir.join("bus");
    if socket.exists() {
        return Ok(format!("unix:path={}", socket.display()));
    }
    Err(unavailable(
        "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)".to_owned(),
    ))
}

/// The effective user id as text, read without `unsafe` from the process status.
fn effective_uid() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find_map(|line| {
                line.strip_prefix("Uid:")
                    .and_then(|ids| ids.split_whitespace().nth(1))
                    .map(str::to_owned)
            })
        })
        .unwrap_or_default()
}

/// A friendly name for the process owning the Secret Service name; "unknown provider" when the bus
/// or `/proc` will not say (containers, other PID namespaces).
fn provider_name(dbus: &DBusProxy<'_>, secrets: BusName<'_>) -> String {
    dbus.get_connection_unix_process_id(secrets)
        .ok()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).ok())
        .map_or_else(
            || "unknown provider".to_owned(),
            |comm| friendly_provider(comm.trim()),
        )
}

fn friendly_provider(comm: &str) -> String {
    // `comm` is truncated to 15 bytes by the kernel: "gnome-keyring-daemon" reads "gnome-keyring-d".
    if comm.starts_with("gnome-keyring") {
        "GNOME Keyring".to_owned()
    } else if comm.starts_with("keepassxc") {
        "KeePassXC".to_owned()
    } else if comm.starts_with("kwalletd") || comm.starts_with("ksecretd") {
        "KDE Wallet".to_owned()
    } else {
        comm.to_owned()
    }
}

fn graphical_session() -> bool {
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn providers_get_their_familiar_names() {
        assert_eq!(friendly_provider("gnome-keyring-d"), "GNOME Keyring");
        assert_eq!(friendly_provider("keepassxc"), "KeePassXC");
        assert_eq!(friendly_provider("kwalletd6"), "KDE Wallet");
        assert_eq!(friendly_provider("oo7-daemon"), "oo7-daemon");
    }

    #[test]
    fn effective_uid_is_numeric() {
        let uid = effective_uid();
        assert!(
            !uid.is_empty() && uid.chars().all(|c| c.is_ascii_digit()),
            "{uid}"
        );
    }
}
