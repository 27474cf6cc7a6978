//! A ceiling on password and PIN hashes under way at once. Argon2 takes
//! tens of milliseconds and 19 MiB each: a flood of sign-ins would
//! otherwise fill the blocking threads and the memory, and slow every
//! other request. Past the ceiling a hash waits its turn a short while,
//! then is refused as too many.

use std::time::Duration;

use tokio::sync::Semaphore;

use crate::error::ApiError;

#[derive(Debug)]
pub struct HashGate {
    places: Semaphore,
    wait: Duration,
}

impl HashGate {
    pub fn new(ceiling: usize, wait: Duration) -> Self {
        Self {
            places: Semaphore::new(ceiling.max(1)),
            wait,
        }
    }

    /// Runs `hashing` on a blocking thread once a place is free.
    pub async fn run<T: Send + 'static>(
        &self,
        hashing: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let place = tokio::time::timeout(self.wait, self.places.acquire())
            .await
            .map_err(|_| ApiError::TooManyRequests { retry_after: 1 })?
            .map_err(ApiError::internal)?;
        let done = tokio::task::spawn_blocking(hashing)
            .await
            .map_err(ApiError::internal);
        drop(place);
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn past_the_ceiling_a_hash_waits_a_while_then_is_refused() {
        let gate = std::sync::Arc::new(HashGate::new(1, Duration::from_millis(50)));
        let (started, running) = tokio::sync::oneshot::channel();
        let (finish, finished) = std::sync::mpsc::channel::<()>();
        let busy = {
            let gate = std::sync::Arc::clone(&gate);
            tokio::spawn(async move {
                gate.run(move || {
                    let _ = started.send(());
                    finished.recv_timeout(Duration::from_secs(10)).is_ok()
                })
                .await
            })
        };
        running.await.unwrap();
        let refused = gate.run(|| ()).await;
        assert!(
            matches!(refused, Err(ApiError::TooManyRequests { .. })),
            "{refused:?}"
        );
        finish.send(()).unwrap();
        assert!(busy.await.unwrap().unwrap());
        assert_eq!(gate.run(|| 7).await.unwrap(), 7, "the place is free again");
    }
}
