//! Administration, behind the admin guard. The whole area is one lazily
//! loaded part: its screens are chosen inside it ([`area`]), so adding one
//! adds nothing to the router in the first download.

mod add_user;
mod apps;
pub mod area;
mod assignees;
mod bulk;
mod events;
mod focus;
mod groups;
mod import_users;
mod radius_clients;
mod radius_clients_form;
mod radius_clients_table;
mod refused;
mod scim_tokens;
mod settings;
mod settings_branding;
mod settings_confirm;
mod settings_protect;
mod sites;
mod status_look;
mod systems;
mod systems_enrollment;
mod systems_form;
mod systems_table;
mod user;
mod user_account;
mod user_actions;
mod user_actions_menu;
mod user_groups;
mod user_sections;
mod user_view;
pub mod users;
mod users_filters;
mod users_summary;
mod users_table;
mod users_view;

pub use area::AdminArea;
pub use refused::Refused;

// The admin area, loaded only once the guard has let the user in.
lazy_screen!(
    AdminScreen,
    admin_area_view,
    area::AdminArea,
    after = crate::components::HelpFooter
);
