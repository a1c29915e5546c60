//! The epoint emulator (being written).

use std::sync::Arc;

use axum::Router;

use crate::Shared;

/// The emulator's state.
#[derive(Debug)]
pub struct State {
    #[allow(dead_code)]
    shared: Arc<Shared>,
}

impl State {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        State { shared }
    }
}

pub(crate) fn router(state: Arc<State>) -> Router {
    Router::new().with_state(state)
}
