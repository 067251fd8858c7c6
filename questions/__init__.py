"""Questionnaire content as data."""
