//! Give up privileges once the capture socket is open: the socket keeps
//! working, and nothing after it (decoding hostile packets, writing files)
//! runs with more power than it needs. `--user NAME` switches to that user,
//! as tcpdump's `-Z`; without it every capability is dropped (effective,
//! permitted, inheritable, ambient and the bounding set), so even a root
//! process keeps only ordinary file permissions.

use std::ffi::CString;

use super::CaptureError;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets in two words.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;
/// Highest capability number the kernel may know; dropping unknown numbers
/// from the bounding set fails harmlessly.
const LAST_CAPABILITY: libc::c_ulong = 63;

#[repr(C)]
struct CapHeader {
    version: u32,
    pid: libc::c_int,
}

#[repr(C)]
#[derive(Clone, Copy, Default)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Switch to `user` if given, else drop every capability.
pub fn drop_after_open(user: Option<&str>) -> Result<(), CaptureError> {
    match user {
        Some(name) => switch_user(name),
        None => drop_capabilities(),
    }
}

fn switch_user(name: &str) -> Result<(), CaptureError> {
    let c_name = CString::new(name)
        .map_err(|_| CaptureError::Other(format!("--user {name:?}: not a user name")))?;
    // SAFETY: getpwnam takes a valid NUL-terminated string and returns null
    // or a pointer to static storage that we read before any other call
    // that could overwrite it.
    let (uid, gid) = unsafe {
        let entry = libc::getpwnam(c_name.as_ptr());
        if entry.is_null() {
            return Err(CaptureError::Other(format!("--user {name}: no such user")));
        }
        ((*entry).pw_uid, (*entry).pw_gid)
    };
    // SAFETY: plain system calls with valid arguments; order matters: groups
    // and gid must change while we still have the privilege to change them.
    let failed = unsafe {
        libc::setgroups(1, &gid) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0
    };
    if failed {
        return Err(CaptureError::Other(format!(
            "--user {name}: could not switch to uid {uid}, gid {gid}: {}",
            std::io::Error::last_os_error()
        )));
    }
    drop_capabilities()
}

fn drop_capabilities() -> Result<(), CaptureError> {
    // SAFETY: prctl with these options only changes this process's
    // capability state; failures (no CAP_SETPCAP, unknown numbers, kernels
    // without ambient capabilities) leave it unchanged and are fine here,
    // because capset below empties the sets that matter.
    unsafe {
        for cap in 0..=LAST_CAPABILITY {
            libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0);
        }
        libc::prctl(
            libc::PR_CAP_AMBIENT,
            libc::PR_CAP_AMBIENT_CLEAR_ALL,
            0,
            0,
            0,
        );
    }
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let data = [CapData::default(); 2];
    // SAFETY: capset reads one header and two data words, both valid for
    // the call; emptying every set is always permitted.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capset,
            &mut header as *mut CapHeader,
            data.as_ptr(),
        )
    };
    if rc != 0 {
        return Err(CaptureError::Other(format!(
            "could not drop capabilities after opening the capture socket: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_user_is_a_clear_error() {
        let err = drop_after_open(Some("no-such-user-wirepeek")).expect_err("no such user");
        assert!(err.to_string().contains("no such user"), "{err}");
    }
}
