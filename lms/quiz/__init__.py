"""Module quizzes: attempts, grading, review and statistics (engine in quizzes/)."""
