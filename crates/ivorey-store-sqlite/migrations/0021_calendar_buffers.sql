-- A calendar's buffers (minutes kept free before and after each appointment) and its minimum
-- notice (minutes between now and the earliest bookable start). Calendars from before have
-- none of either.
ALTER TABLE calendars ADD COLUMN pre_buffer_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendars ADD COLUMN slot_buffer_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE calendars ADD COLUMN min_notice_minutes INTEGER NOT NULL DEFAULT 0;
