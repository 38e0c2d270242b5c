"""What the school decides and what follows, by topic: approval (accounts and links made by a
decision), bulk (many approvals at once), links (revoking them), forms (a school form set up as an
editor would)."""
