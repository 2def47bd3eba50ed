//! rin-core (being written)
