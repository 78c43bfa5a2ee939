"""What a run publishes besides its evidence: JSON, JUnit, GitHub outputs, notifications."""
