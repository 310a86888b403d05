//! Realistic, repeatable fake records for `ivorey seed`: names, emails, phones, companies and
//! tags drawn from small lists by a seeded generator, so two runs with the same `--seed` make
//! the same data (benchmarks compare like with like).

use ivorey_core::contact::{Contact, ContactFields};
use ivorey_core::{ContactId, LocationId, Timestamp};

const FIRST: &[&str] = &[
    "Ada", "Alan", "Amara", "Ben", "Carla", "Chen", "Dara", "Diego", "Elena", "Emeka", "Farah",
    "Felix", "Grace", "Hana", "Ivan", "Jade", "Jonas", "Kai", "Lena", "Luca", "Maya", "Mohammed",
    "Nadia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Sofia", "Tariq", "Uma",
    "Victor", "Wen", "Yara", "Zoe",
];
const LAST: &[&str] = &[
    "Adeyemi",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quintero",
    "Rossi",
    "Silva",
    "Tanaka",
    "Umar",
    "Varga",
    "Wright",
    "Xu",
    "Yilmaz",
    "Zimmermann",
];
const COMPANIES: &[&str] = &[
    "Bright Dental",
    "Northside Plumbing",
    "Oak & Ivy Florists",
    "Peak Fitness",
    "Riverside Cafe",
    "Summit Realty",
    "Blue Harbor Law",
    "Greenleaf Landscaping",
    "Copper Kettle Bakery",
];
const CITIES: &[(&str, &str)] = &[
    ("Austin", "TX"),
    ("Denver", "CO"),
    ("Portland", "OR"),
    ("Raleigh", "NC"),
    ("Tampa", "FL"),
    ("Boise", "ID"),
    ("Madison", "WI"),
    ("Tucson", "AZ"),
];
const TAGS: &[&str] = &[
    "lead",
    "customer",
    "vip",
    "newsletter",
    "referral",
    "webinar",
    "trial",
];
const SOURCES: &[&str] = &[
    "website",
    "facebook ad",
    "referral",
    "walk-in",
    "google ads",
];
const DOMAINS: &[&str] = &["example.com", "example.org", "example.net"];

/// A small fast generator (SplitMix64): good spread, no dependency, repeatable from a seed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Contact number `n` of a seeded location: unique email and phone (they embed `n`), spread over
/// the two years before `now`.
pub fn contact(rng: &mut Rng, location: &LocationId, n: u64, now: Timestamp) -> Contact {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let (city, state) = CITIES[rng.below(CITIES.len() as u64) as usize];
    let mut tags: Vec<String> = Vec::new();
    for _ in 0..rng.below(3) {
        let tag = rng.pick(TAGS).to_owned();
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    let two_years_ms = 2 * 365 * 24 * 3600 * 1000;
    let added = Timestamp(now.millis() - rng.below(two_years_ms) as i64);
    let fields = ContactFields {
        first_name: Some(first.to_owned()),
        last_name: Some(last.to_owned()),
        name: Some(format!("{first} {last}")),
        email: Some(format!(
            "{}.{}{n}@{}",
            first.to_lowercase(),
            last.to_lowercase(),
            rng.pick(DOMAINS)
        )),
        phone: Some(format!("+1555{:07}", n % 10_000_000)),
        company_name: (rng.below(3) == 0).then(|| rng.pick(COMPANIES).to_owned()),
        city: Some(city.to_owned()),
        state: Some(state.to_owned()),
        country: Some("US".to_owned()),
        source: Some(rng.pick(SOURCES).to_owned()),
        tags,
        ..ContactFields::default()
    };
    Contact {
        created_by: None,
        updated_by: None,
        id: ContactId::generate(),
        location_id: location.clone(),
        fields,
        date_added: added,
        date_updated: added,
    }
}

/// A deal name for an opportunity of `contact`.
pub fn deal_name(rng: &mut Rng, contact: &Contact) -> String {
    const WHAT: &[&str] = &[
        "Annual plan",
        "Website redesign",
        "Consultation",
        "Renewal",
        "Upgrade",
    ];
    let who = contact.fields.name.as_deref().unwrap_or("Contact");
    format!("{} - {who}", rng.pick(WHAT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_people() {
        let location = LocationId::generate();
        let now = Timestamp(1_800_000_000_000);
        let a = contact(&mut Rng::new(7), &location, 1, now);
        let b = contact(&mut Rng::new(7), &location, 1, now);
        assert_eq!(a.fields, b.fields);
        let c = contact(&mut Rng::new(8), &location, 1, now);
        assert_ne!(a.fields.email, c.fields.email);
    }

    #[test]
    fn contacts_pass_the_api_validation_and_are_not_in_the_future() {
        let location = LocationId::generate();
        let now = Timestamp(1_800_000_000_000);
        let mut rng = Rng::new(1);
        for n in 0..200 {
            let c = contact(&mut rng, &location, n, now);
            assert!(c.date_added <= now);
            let email = c.fields.email.clone().unwrap_or_default();
            assert!(
                email.contains(&n.to_string()) && email.contains('@'),
                "{email}"
            );
            let json = serde_json::to_value(&c.fields).expect("fields serialise");
            let input: ivorey_core::contact::CreateContactInput =
                serde_json::from_value(json).expect("the API accepts the seeded fields");
            input.into_fields().expect("seeded fields are valid");
        }
    }
}
