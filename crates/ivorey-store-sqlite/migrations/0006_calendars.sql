-- Calendars and their appointments. Composite foreign keys keep an appointment's calendar and
-- contact in the appointment's location (they use calendars' UNIQUE (location_id, id) and
-- contacts_location_id_key from migration 2); deleting either deletes its appointments.
-- open_hours is HighLevel's openHours array as JSON text. Times are Unix milliseconds.
CREATE TABLE calendars (
    id                    TEXT PRIMARY KEY,
    location_id           TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    name                  TEXT NOT NULL,
    description           TEXT,
    time_zone             TEXT NOT NULL,
    slot_duration_minutes INTEGER NOT NULL CHECK (slot_duration_minutes > 0),
    slot_interval_minutes INTEGER NOT NULL CHECK (slot_interval_minutes > 0),
    open_hours            TEXT NOT NULL,
    is_active             INTEGER NOT NULL,
    date_added            INTEGER NOT NULL,
    date_updated          INTEGER NOT NULL,
    UNIQUE (location_id, id)
);
CREATE INDEX calendars_by_location ON calendars (location_id, date_added, id);

-- A booking takes the calendar's write lock (BEGIN IMMEDIATE), then checks for an overlapping
-- non-cancelled appointment, then inserts: no two such appointments can overlap.
CREATE TABLE calendar_appointments (
    id               TEXT PRIMARY KEY,
    location_id      TEXT NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
    calendar_id      TEXT NOT NULL,
    contact_id       TEXT NOT NULL,
    title            TEXT NOT NULL,
    description      TEXT,
    address          TEXT,
    status           TEXT NOT NULL CHECK (status IN
                         ('new', 'confirmed', 'cancelled', 'showed', 'noshow', 'invalid')),
    assigned_user_id TEXT,
    start_time       INTEGER NOT NULL,
    end_time         INTEGER NOT NULL CHECK (end_time > start_time),
    date_added       INTEGER NOT NULL,
    date_updated     INTEGER NOT NULL,
    -- At most 31 days long, so an overlap search need look back only that far.
    CHECK (end_time - start_time <= 2678400000),
    FOREIGN KEY (location_id, calendar_id) REFERENCES calendars (location_id, id) ON DELETE CASCADE,
    FOREIGN KEY (location_id, contact_id) REFERENCES contacts (location_id, id) ON DELETE CASCADE
);
CREATE INDEX calendar_appointments_by_time ON calendar_appointments (calendar_id, start_time, id);
CREATE INDEX calendar_appointments_by_contact ON calendar_appointments (location_id, contact_id);
