//! Who is calling: staff and members with access tokens, devices with
//! their own credentials.

pub mod password;
pub mod token;
