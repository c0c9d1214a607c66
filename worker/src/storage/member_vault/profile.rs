//! The `profile` table: the member's number, display name and wallet version,
//! and whether they opted out of segment offers (coupons aimed at a segment).

use crate::error::Outcome;
use crate::refusals;
use crate::storage::sql;
use domain::member::{DisplayName, MemberNumber};
use serde::Deserialize;
use worker::SqlStorage;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS profile (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    member_number TEXT NOT NULL,
    display_name TEXT NOT NULL,
    version INTEGER NOT NULL
);
";

/// Columns added since the table was first made: members start opted in.
pub(super) fn migrate(sql: &SqlStorage) -> Outcome<()> {
    sql::add_column(sql, "profile", "coupon_opt_out", "INTEGER NOT NULL DEFAULT 0")
}

pub(super) struct Profile {
    pub member_number: MemberNumber,
    pub display_name: DisplayName,
    pub version: u64,
}

#[derive(Deserialize)]
struct ProfileRow {
    member_number: String,
    display_name: String,
    version: i64,
}

pub(super) struct Profiles<'a> {
    pub sql: &'a SqlStorage,
}

fn corrupt(what: &str) -> crate::error::Problem {
    sql::corrupt("member vault", what)
}

impl Profiles<'_> {
    pub fn load(&self) -> Outcome<Option<Profile>> {
        let row: Option<ProfileRow> =
            sql::first(self.sql, "SELECT member_number, display_name, version FROM profile WHERE id = 1", None)?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Profile {
            member_number: MemberNumber::parse(&row.member_number).map_err(|_| corrupt("member number"))?,
            display_name: DisplayName::parse(&row.display_name).map_err(|_| corrupt("display name"))?,
            version: u64::try_from(row.version).map_err(|_| corrupt("version"))?,
        }))
    }

    /// The profile; `unauthorized` if the vault was never created.
    pub fn existing(&self) -> Outcome<Profile> {
        self.load()?.ok_or_else(refusals::no_such_member)
    }

    pub fn create(&self, member_number: &MemberNumber, display_name: &DisplayName) -> Outcome<()> {
        self.sql.exec(
            "INSERT INTO profile (id, member_number, display_name, version) VALUES (1, ?, ?, 0)",
            vec![member_number.as_str().into(), display_name.as_str().into()],
        )?;
        Ok(())
    }

    /// Forgets the number and the name (closing the account; the vault's `closure` row stays).
    pub fn erase(&self) -> Outcome<()> {
        self.sql.exec("DELETE FROM profile", None)?;
        Ok(())
    }

    /// Whether the member opted out of segment offers.
    pub fn coupon_opt_out(&self) -> Outcome<bool> {
        Ok(sql::number(self.sql, "SELECT coupon_opt_out AS n FROM profile WHERE id = 1", None)? != 0)
    }

    pub fn set_coupon_opt_out(&self, opted_out: bool) -> Outcome<()> {
        self.sql.exec("UPDATE profile SET coupon_opt_out = ? WHERE id = 1", vec![i64::from(opted_out).into()])?;
        Ok(())
    }

    pub fn bump_version(&self) -> Outcome<()> {
        self.sql.exec("UPDATE profile SET version = version + 1 WHERE id = 1", None)?;
        Ok(())
    }
}
