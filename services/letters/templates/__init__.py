"""Letter templates: authoring and approval, the approved source a letter job reads, previews."""
