"""Student records: gradebook, transcripts and their rule engines."""
