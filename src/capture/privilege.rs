//! Give up privileges once the capture socket (and any output file) is
//! open: the socket keeps working, and nothing after it (decoding hostile
//! packets, writing files, the echo server of the demo) runs with more
//! power than it needs. `--user NAME` switches to that user, as tcpdump's
//! `-Z`; a root process without it switches to an unprivileged account.
//! Either way every capability set is emptied (effective, permitted,
//! inheritable, ambient and the bounding set) and `no_new_privs` is set.

use std::ffi::CString;

use super::CaptureError;

/// `_LINUX_CAPABILITY_VERSION_3`: 64-bit capability sets in two words.
const CAPABILITY_VERSION_3: u32 = 0x2008_0522;
/// Highest capability number the kernel may know; dropping unknown numbers
/// from the bounding set fails harmlessly.
const LAST_CAPABILITY: libc::c_ulong = 63;
/// Users a root process switches to when no `--user` is given, the first
/// that exists: a dedicated account named after the program (tcpdump's
/// convention: packagers create a `tcpdump` user), else `nobody`.
const DEFAULT_USERS: [&str; 2] = ["wirepeek", "nobody"];

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

/// Give up every privilege, for good: switch to `user` if given (tcpdump's
/// `-Z`), else, when running as root, to an unprivileged account; then
/// clear every capability set and set `no_new_privs`, so nothing later (a
/// setuid binary, file capabilities) can gain any back.
///
/// Capabilities belong to each thread: call this on the main thread before
/// any other thread starts; threads started later inherit the empty sets.
/// Returns a warning to print when root had no account to switch to (it
/// then stays uid 0, without any capability).
pub fn drop_after_open(user: Option<&str>) -> Result<Option<String>, CaptureError> {
    let (account, warning) = account_for(user)?;
    clear_bounding_and_ambient(0);
    if let Some(account) = &account {
        switch_user(account)?;
    }
    set_capabilities(0)?;
    set_no_new_privs()?;
    Ok(warning)
}

/// The account to switch to: `user` if given, else, when running as root,
/// the first of `DEFAULT_USERS` that exists (with a warning to print when
/// none does), else none.
pub(super) fn account_for(
    user: Option<&str>,
) -> Result<(Option<Account>, Option<String>), CaptureError> {
    let mut warning = None;
    let account = match user {
        Some(name) => Some(
            lookup(name)?
                .ok_or_else(|| CaptureError::Other(format!("--user {name}: no such user")))?,
        ),
        // SAFETY: geteuid has no preconditions and cannot fail.
        None if unsafe { libc::geteuid() } == 0 => {
            let mut found = None;
            for name in DEFAULT_USERS {
                found = lookup(name)?;
                if found.is_some() {
                    break;
                }
            }
            if found.is_none() {
                warning = Some(format!(
                    "no user {} to switch to: staying uid 0, without capabilities (--user NAME picks one)",
                    DEFAULT_USERS.join(" or ")
                ));
            }
            found
        }
        None => None,
    };
    Ok((account, warning))
}

/// Set `no_new_privs`: nothing this process or its children execute can
/// gain privileges (setuid binaries, file capabilities).
pub(super) fn set_no_new_privs() -> Result<(), CaptureError> {
    // SAFETY: prctl(PR_SET_NO_NEW_PRIVS, 1) only sets a flag on this
    // process's threads (inherited by new ones and by children).
    if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
        return Err(CaptureError::Other(format!(
            "could not set no_new_privs after opening the capture socket: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(())
}

/// A user account: its name, uid and primary group.
pub(super) struct Account {
    name: String,
    uid: libc::uid_t,
    gid: libc::gid_t,
}

/// Look a user up by name; `Ok(None)` when there is no such user.
pub(super) fn lookup(name: &str) -> Result<Option<Account>, CaptureError> {
    let c_name = CString::new(name)
        .map_err(|_| CaptureError::Other(format!("--user {name:?}: not a user name")))?;
    // SAFETY: getpwnam takes a valid NUL-terminated string and returns null
    // or a pointer to static storage that we read before any other call
    // that could overwrite it.
    unsafe {
        let entry = libc::getpwnam(c_name.as_ptr());
        if entry.is_null() {
            return Ok(None);
        }
        Ok(Some(Account {
            name: name.to_string(),
            uid: (*entry).pw_uid,
            gid: (*entry).pw_gid,
        }))
    }
}

pub(super) fn switch_user(account: &Account) -> Result<(), CaptureError> {
    let Account { name, uid, gid } = account;
    // SAFETY: plain system calls with valid arguments; order matters: groups
    // and gid must change while we still have the privilege to change them.
    let failed = unsafe {
        libc::setgroups(1, gid) != 0 || libc::setgid(*gid) != 0 || libc::setuid(*uid) != 0
    };
    if failed {
        return Err(CaptureError::Other(format!(
            "--user {name}: could not switch to uid {uid}, gid {gid}: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(())
}

/// Empty the ambient set and the bounding set but for the capabilities in
/// the bit mask `keep`. Dropping from the bounding set needs CAP_SETPCAP,
/// so this comes before the switch of user; without it (a non-root user
/// with file capabilities) the calls fail harmlessly, and `no_new_privs`
/// keeps the bounding set from mattering.
pub(super) fn clear_bounding_and_ambient(keep: u64) {
    // SAFETY: prctl with these options only changes this process's
    // capability state; failures (no CAP_SETPCAP, unknown numbers, kernels
    // without ambient capabilities) leave it unchanged and are fine here.
    unsafe {
        for cap in (0..=LAST_CAPABILITY).filter(|c| keep & (1 << c) == 0) {
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
}

/// The permitted set of this thread, as a bit mask.
pub(super) fn permitted_capabilities() -> u64 {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let mut data = [CapData::default(); 2];
    // SAFETY: capget writes two data words into `data`, valid for the call.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_capget,
            &mut header as *mut CapHeader,
            data.as_mut_ptr(),
        )
    };
    if rc != 0 {
        return 0;
    }
    u64::from(data[0].permitted) | (u64::from(data[1].permitted) << 32)
}

/// Make the effective and permitted sets of this thread exactly the bit
/// mask `keep` (0: none) and empty the inheritable set.
pub(super) fn set_capabilities(keep: u64) -> Result<(), CaptureError> {
    let mut header = CapHeader {
        version: CAPABILITY_VERSION_3,
        pid: 0,
    };
    let word = |shift: u32| (keep >> shift) as u32;
    let data = [
        CapData {
            effective: word(0),
            permitted: word(0),
            inheritable: 0,
        },
        CapData {
            effective: word(32),
            permitted: word(32),
            inheritable: 0,
        },
    ];
    // SAFETY: capset reads one header and two data words, both valid for
    // the call; lowering the sets to what is permitted is always allowed.
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
