//! `mnn serve`'s connections against clients that stall: the real server
//! (`serve::connections::serve`, hyper over a socket on port 0) in this
//! process, with the bounds it is given as values, so that a timeout can be
//! shortened for the test. A client holding a half-sent request cannot keep
//! it from stopping, and one that never finishes its headers is cut off.

use mnn_cli::serve::connections::{self, Bounds};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The margin allowed over a bound, for a busy machine.
const MARGIN: Duration = Duration::from_secs(3);

/// The server of `mnn serve --model` for the book's 784-30-10 network,
/// within `bounds`, on a free port: its address, a sender that stops it,
/// and its end (`true` if every request finished within the grace).
async fn start(
    bounds: Bounds,
) -> (
    SocketAddr,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<bool>,
) {
    let network = mnn_net::NeuralNetwork::new(784, 30, 10, 0.3, 1).unwrap();
    let data = mnn_cli::DataArgs {
        data: None,
        train_csv: None,
        test_csv: None,
    };
    let (app, _events) = mnn_cli::serve::in_process(
        mnn_net::Model::Book(network),
        data,
        mnn_train::Threads::given(1),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(connections::serve(listener, app, bounds, async move {
        let _ = stopped.await;
    }));
    (address, stop, server)
}

/// Connects and sends `first`, then each of `drip` 200 ms apart; returns how
/// long after connecting the server closed the connection (reading it all).
fn stalling_client(address: SocketAddr, first: &[u8], drip: &[u8]) -> Duration {
    let began = Instant::now();
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    stream.write_all(first).unwrap();
    let mut drip = drip.iter();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return began.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if let Some(&byte) = drip.next() {
                    // The server may have closed already.
                    let _ = stream.write_all(&[byte]);
                }
            }
            Err(_) => return began.elapsed(),
        }
        assert!(began.elapsed() < Duration::from_secs(60), "never closed");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_holding_a_half_sent_request_does_not_hold_up_the_stop() {
    let bounds = Bounds::SERVED;
    let (address, stop, server) = start(bounds).await;
    // The client: a POST's headers and one byte of its 10-byte
    // body, then nothing (the connection is held open to the end).
    let mut client = TcpStream::connect(address).unwrap();
    client
        .write_all(
            b"POST /api/query HTTP/1.1\r\nHost: 127.0.0.1\r\n\
              Content-Type: application/json\r\nContent-Length: 10\r\n\r\n{",
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    stop.send(()).unwrap();
    let all_finished = tokio::time::timeout(bounds.shutdown_grace + MARGIN, server)
        .await
        .expect("the server ends within its grace")
        .unwrap();
    let took = stopping.elapsed();
    assert!(!all_finished, "the half-sent request cannot have finished");
    assert!(
        took >= bounds.shutdown_grace,
        "it waited for the request under way: {took:?}"
    );
    drop(client);
}

#[tokio::test(flavor = "multi_thread")]
async fn clients_that_do_not_finish_their_headers_are_cut_off() {
    let bounds = Bounds {
        header_timeout: Duration::from_secs(1),
        ..Bounds::SERVED
    };
    let (address, _stop, _server) = start(bounds).await;
    let timeout = bounds.header_timeout;
    let clients = tokio::task::spawn_blocking(move || {
        [
            // Sends nothing at all.
            stalling_client(address, b"", b""),
            // Half the headers, then nothing.
            stalling_client(
                address,
                b"GET /api/model HTTP/1.1\r\nHost: localhost\r\n",
                b"",
            ),
            // A byte every 200 ms, for ever: the timeout is for the whole head.
            stalling_client(
                address,
                b"GET /api/model HTTP/1.1\r\n",
                &b"X-Slow: ".repeat(100),
            ),
        ]
    })
    .await
    .unwrap();
    for (client, closed_after) in ["silent", "half the headers", "dripping"]
        .iter()
        .zip(clients)
    {
        assert!(
            closed_after >= timeout && closed_after < timeout + MARGIN,
            "{client}: closed after {closed_after:?}, the header timeout being {timeout:?}"
        );
    }
    // A client that sends its request in time is answered.
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(address).unwrap();
        stream
            .write_all(b"GET /api/model HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    })
    .await
    .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
}
