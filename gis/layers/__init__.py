"""Reading, validating and normalising input layers; CRS (VN-2000); writing exports."""
