//! Prints the `wirepeek interfaces` table, to check the rendering by eye.

fn main() -> std::process::ExitCode {
    let result = wirepeek::capture::interfaces::list()
        .map_err(|e| e.to_string())
        .and_then(|list| {
            wirepeek::capture::interfaces::render(&list, &mut std::io::stdout())
                .map_err(|e| e.to_string())
        });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("list_interfaces: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
