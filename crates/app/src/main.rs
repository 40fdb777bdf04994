//! The browser entry point: installs the panic hook and mounts the playground into `<body>`.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(whenasync_app::App);
}
