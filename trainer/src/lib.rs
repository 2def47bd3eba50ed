//! rin-trainer
