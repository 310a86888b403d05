//! Contact replies serialized straight from the contacts (`Contact::view`), without building
//! a `serde_json::Value` first: reading and listing contacts are the API's hottest calls, and
//! the intermediate tree was most of their allocations.

use ivorey_core::contact::Contact;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// `{"contact": {...}}`.
#[derive(Debug)]
pub struct OneContact(pub Contact);

impl Serialize for OneContact {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("OneContact", 1)?;
        body.serialize_field("contact", &self.0.view())?;
        body.end()
    }
}

/// `{"contacts": [...], "count": n, "meta": {...}}`: a page of the list.
#[derive(Debug)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub count: u64,
    pub meta: Value,
}

impl Serialize for ContactPage {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut body = serializer.serialize_struct("ContactPage", 3)?;
        body.serialize_field("contacts", &Views(&self.contacts))?;
        body.serialize_field("count", &self.count)?;
        body.serialize_field("meta", &self.meta)?;
        body.end()
    }
}

struct Views<'a>(&'a [Contact]);

impl Serialize for Views<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for contact in self.0 {
            seq.serialize_element(&contact.view())?;
        }
        seq.end()
    }
}
