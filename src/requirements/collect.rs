//! Walk an install command line in pip's order and gather every requirement.
