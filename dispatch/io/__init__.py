"""Readers for dispatch instance files: Solomon text, VRPLIB, LKH-3 .vrptw and field JSON."""
