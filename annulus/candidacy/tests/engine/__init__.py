"""Tests of the pure candidacy engine (no Django): they alone give it 100 % branch coverage."""
