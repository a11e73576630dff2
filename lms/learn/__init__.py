"""The learner's path: home, catalogue, course pages and lessons."""
