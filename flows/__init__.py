"""One module per business process; each flow reads top-down as the story it automates."""
