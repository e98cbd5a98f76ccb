"""Files that cross between machines or people: templates, packages, scoresheets, reports — no Qt."""
