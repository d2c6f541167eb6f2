"""Geography: range states, their provinces and districts, villages, and the four regions."""
