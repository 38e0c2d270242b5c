"""Printed binding letters: issuing them (codes, voiding, audit), their PDF, and the sign-in their
QR code opens."""
