pub mod entry;
pub mod products_csv;
pub mod state;
