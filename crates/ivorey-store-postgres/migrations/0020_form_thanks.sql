-- What a visitor sees after submitting a form: a thank-you message of the business's own, or
-- its redirect to a page of the business's website. Forms from before have neither (the
-- default message is shown).
ALTER TABLE forms ADD COLUMN thank_you TEXT;
ALTER TABLE forms ADD COLUMN redirect_url TEXT;
