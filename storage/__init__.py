"""Everything workshopbot stores, and the only package that speaks SQL."""
