"""Payment application (B-7, B-9, B-10): the one function every payment provider calls, and credit balance."""
